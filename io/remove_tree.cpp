#include "io/remove_tree.h"

#include <ftw.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace ebm::io {

namespace {
// nftw's callback has no user argument: the failing path goes through this thread's slot.
thread_local std::string failed_path;
thread_local int failed_errno = 0;

int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
  if (std::remove(path) == 0 || errno == ENOENT) return 0;
  failed_path = path;
  failed_errno = errno;
  return 1;  // stops the walk
}
}  // namespace

void remove_tree(const std::string& path) {
  struct stat info;
  if (lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error("cannot remove " + path + ": " + std::strerror(errno));
  }
  failed_path.clear();
  failed_errno = 0;
  const int result = nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (result == 0) return;
  if (failed_path.empty()) throw std::runtime_error("cannot remove " + path + ": " + std::strerror(errno));
  throw std::runtime_error("cannot remove " + failed_path + ": " + std::strerror(failed_errno));
}

}  // namespace ebm::io
