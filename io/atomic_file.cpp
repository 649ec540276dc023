#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace ebm::io {

namespace {

std::string reason() { return std::strerror(errno); }

// Writes all of `bytes` to `fd`; false (errno set) when the system refuses part of it.
bool write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + reason());
  const bool written = write_all(fd, bytes) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = written ? reason() : std::strerror(saved);
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + path + ": " + why + " (the previous version, if any, is unchanged)");
  }
}

void append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot append to " + path + ": " + reason());
  struct stat before {};
  ::fstat(fd, &before);
  const bool written = write_all(fd, line + "\n");
  const int saved = errno;
  if (!written && ::ftruncate(fd, before.st_size) != 0) {
    // Nothing more to do: the reader skips a torn last line.
  }
  ::close(fd);
  if (!written) throw std::runtime_error("cannot append to " + path + ": " + std::strerror(saved));
}

}  // namespace ebm::io
