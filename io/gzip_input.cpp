#include "io/gzip_input.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "io/input_error.h"

namespace ebm::io {

namespace {
// The path itself, when it names something that exists and is not a regular file.
void require_regular_file(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || S_ISREG(info.st_mode)) return;  // missing: the caller says so
  const char* what = S_ISDIR(info.st_mode)    ? "a directory"
                     : S_ISCHR(info.st_mode)  ? "a character device"
                     : S_ISBLK(info.st_mode)  ? "a block device"
                     : S_ISFIFO(info.st_mode) ? "a named pipe"
                                              : "not a regular file";
  throw InputError("'" + path + "' is " + what + ": data files must be regular files");
}

bool gzip_magic(const unsigned char* bytes) { return bytes[0] == 0x1f && bytes[1] == 0x8b; }
}  // namespace

GzipInputBuffer::GzipInputBuffer(const std::string& path)
    : path_(path), file_((require_regular_file(path), std::fopen(path.c_str(), "rb")), &std::fclose) {
  if (!file_) return;
  refill();
  gzip_ = zs_.avail_in >= 2 && gzip_magic(zs_.next_in);
  if (gzip_ && inflateInit2(&zs_, 15 + 16) != Z_OK) fail("zlib could not start");  // 16: gzip framing
}

GzipInputBuffer::~GzipInputBuffer() {
  if (gzip_) inflateEnd(&zs_);
}

void GzipInputBuffer::fail(const std::string& reason) const { throw InputError("'" + path_ + "' cannot be read: " + reason); }

bool GzipInputBuffer::refill() {
  const size_t kept = zs_.avail_in;
  if (kept > 0 && zs_.next_in != raw_.data()) std::memmove(raw_.data(), zs_.next_in, kept);
  const size_t got = std::fread(raw_.data() + kept, 1, raw_.size() - kept, file_.get());
  if (got == 0 && std::ferror(file_.get())) fail(std::strerror(errno));
  zs_.next_in = raw_.data();
  zs_.avail_in = static_cast<uInt>(kept + got);
  return got > 0;
}

GzipInputBuffer::int_type GzipInputBuffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (!file_) return traits_type::eof();
  size_t produced = 0;
  if (!gzip_) {
    if (zs_.avail_in == 0) refill();
    produced = std::min<size_t>(zs_.avail_in, buffer_.size());
    std::memcpy(buffer_.data(), zs_.next_in, produced);
    zs_.next_in += produced;
    zs_.avail_in -= static_cast<uInt>(produced);
  }
  while (gzip_ && produced == 0) {
    if (member_ended_) {  // another member, or the end of the file
      if (zs_.avail_in < 2) refill();
      if (zs_.avail_in == 0) return traits_type::eof();
      if (zs_.avail_in < 2 || !gzip_magic(zs_.next_in)) {
        fail("bytes that are not gzip data follow its gzip data (a damaged or concatenated file)");
      }
      inflateReset(&zs_);
      member_ended_ = false;
    }
    if (zs_.avail_in == 0 && !refill()) fail("unexpected end of file (a damaged or truncated gzip file)");
    zs_.next_out = reinterpret_cast<Bytef*>(buffer_.data());
    zs_.avail_out = static_cast<uInt>(buffer_.size());
    const int status = inflate(&zs_, Z_NO_FLUSH);
    if (status == Z_STREAM_END) {
      member_ended_ = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      fail(std::string(zs_.msg ? zs_.msg : "invalid data") + " (a damaged or truncated gzip file)");
    }
    produced = buffer_.size() - zs_.avail_out;
  }
  if (produced == 0) return traits_type::eof();
  delivered_ += static_cast<int64_t>(produced);
  if (delivered_ > kMaxDataBytes) {
    fail("it holds more than " + std::to_string(kMaxDataBytes >> 30) +
         " GiB (decompressed): data files are read whole into memory, and no more than that");
  }
  setg(buffer_.data(), buffer_.data(), buffer_.data() + produced);
  return traits_type::to_int_type(*gptr());
}

GzipInputStream::GzipInputStream(const std::string& path) : std::istream(nullptr), buffer_(path) {
  rdbuf(&buffer_);
  exceptions(std::ios::badbit);  // an InputError thrown while reading reaches the caller
}

}  // namespace ebm::io
