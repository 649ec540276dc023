// An input stream over a file that may be gzipped (RFC 1952): a file that starts with the gzip
// magic is inflated member after member, any other is read as it is, so one reader serves
// data.csv and data.csv.gz alike. A damaged or truncated gzip stream (a bad CRC, an unexpected
// end) or bytes after the last member that are not another member throw io::InputError naming
// the file and the reason, from whichever read meets them, so a reader never takes part of a
// damaged file for the whole file.
//
// Only regular files are read (a device such as /dev/zero or a directory never ends or never
// starts), and at most kMaxDataBytes after decompression: InputError naming the file otherwise.
#pragma once

#include <zlib.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>

namespace ebm::io {

// Data files are read whole into memory; beyond this many bytes (decompressed) a file is refused.
constexpr int64_t kMaxDataBytes = int64_t{4} << 30;

class GzipInputBuffer : public std::streambuf {
 public:
  explicit GzipInputBuffer(const std::string& path);
  ~GzipInputBuffer() override;
  bool is_open() const { return file_ != nullptr; }

 protected:
  int_type underflow() override;

 private:
  // Reads more raw bytes after the unread ones; false at the end of the file.
  bool refill();
  [[noreturn]] void fail(const std::string& reason) const;

  std::string path_;
  std::unique_ptr<FILE, int (*)(FILE*)> file_;
  z_stream zs_{};
  bool gzip_ = false, member_ended_ = false;
  int64_t delivered_ = 0;
  std::array<unsigned char, 1 << 17> raw_;
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
