// One writer per directory: an advisory lock (flock) on DIR/.lock, held while the object lives.
// The file holds the holder's process id, so a refusal can name it. The kernel drops the lock
// when its holder ends in any way (exit, crash, kill -9); the file stays, harmlessly.
#pragma once

#include <string>

#include "io/input_error.h"

namespace ebm::io {

// The refusal when another process holds the lock.
class LockHeld : public InputError {
 public:
  using InputError::InputError;
};

class DirectoryLock {
 public:
  // Takes the lock on `dir` (which must exist), or throws LockHeld naming the directory and the
  // process that holds it (InputError when the lock file cannot be opened).
  explicit DirectoryLock(const std::string& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

  static constexpr const char* kFileName = ".lock";

 private:
  int fd_ = -1;
};

}  // namespace ebm::io
