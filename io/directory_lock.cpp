#include "io/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>


namespace ebm::io {

DirectoryLock::DirectoryLock(const std::string& dir) {
  const std::string path = dir + "/" + kFileName;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InputError(dir + ": cannot take its lock " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[32] = {0};
    const ssize_t n = ::pread(fd_, holder, sizeof(holder) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) throw InputError(dir + ": cannot take its lock " + path + ": " + std::strerror(error));
    const std::string pid = n > 0 ? std::string(holder, static_cast<size_t>(n)) : std::string("unknown");
    throw LockHeld(dir + " is in use by another ebm process (pid " + pid.substr(0, pid.find('\n')) +
                     "): wait for it to end, or stop it first");
  }
  // Naming the holder is a courtesy to the next process: the lock holds even if this fails.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    const ssize_t ignored = ::pwrite(fd_, pid.data(), pid.size(), 0);
    (void)ignored;
  }
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ebm::io
