#include "io/gzip_input.h"

#include <cerrno>
#include <cstring>

#include "io/input_error.h"

namespace ebm::io {

GzipInputBuffer::GzipInputBuffer(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb"), &gzclose) {
  if (file_) gzbuffer(file_.get(), 1 << 17);
}

GzipInputBuffer::int_type GzipInputBuffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (!file_) return traits_type::eof();
  const int got = gzread(file_.get(), buffer_.data(), static_cast<unsigned>(buffer_.size()));
  int error = Z_OK;
  std::string reason = gzerror(file_.get(), &error);
  // Z_BUF_ERROR: the gzip stream ended before its trailer (a truncated file).
  if (got < 0 || (error != Z_OK && error != Z_STREAM_END)) {
    if (error == Z_ERRNO) reason = std::strerror(errno);
    if (reason.compare(0, path_.size() + 2, path_ + ": ") == 0) reason.erase(0, path_.size() + 2);  // zlib names the file too
    throw InputError("'" + path_ + "' cannot be read: " + reason +
                     (error == Z_BUF_ERROR || error == Z_DATA_ERROR ? " (a damaged or truncated gzip file)" : ""));
  }
  if (got == 0) return traits_type::eof();
  setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
  return traits_type::to_int_type(*gptr());
}

GzipInputStream::GzipInputStream(const std::string& path) : std::istream(nullptr), buffer_(path) {
  rdbuf(&buffer_);
  exceptions(std::ios::badbit);  // an InputError thrown while reading reaches the caller
}

}  // namespace ebm::io
