// An input stream over a file that may be gzipped (RFC 1952). zlib's gzread inflates gzip
// members and passes any other file through unchanged, so one reader serves data.csv and
// data.csv.gz alike. A damaged or truncated gzip stream (a bad CRC, an unexpected end) throws
// io::InputError naming the file and zlib's reason, from whichever read meets it, so a reader
// never takes a damaged file's first part for the whole file.
#pragma once

#include <zlib.h>

#include <array>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>

namespace ebm::io {

class GzipInputBuffer : public std::streambuf {
 public:
  explicit GzipInputBuffer(const std::string& path);
  bool is_open() const { return file_ != nullptr; }

 protected:
  int_type underflow() override;

 private:
  std::string path_;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file_;
  std::array<char, 1 << 16> buffer_;
};

class GzipInputStream : public std::istream {
 public:
  explicit GzipInputStream(const std::string& path);
  bool is_open() const { return buffer_.is_open(); }

 private:
  GzipInputBuffer buffer_;
};

}  // namespace ebm::io
