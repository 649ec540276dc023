// An allocation too large for the machine, told as its size and the config keys that set it.
// LibTorch reports one as a c10::Error whose text carries the size: "you tried to allocate N"
// (bytes, CPU allocator) or "Tried to allocate X GiB" (CUDA caching allocator).
#pragma once

#include <c10/util/Exception.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace ebm::io {

class OutOfMemory : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The size in bytes of the allocation that `error` reports as failed; nullopt if it is another error.
std::optional<double> failed_allocation_bytes(const c10::Error& error);

// "out of memory: an allocation of 40 GB failed" + `blame` (", set by model.width = 100000").
std::string out_of_memory_message(double bytes, const std::string& blame);

// One line for a LibTorch error that ends a command: a failed allocation as its size (blaming the
// config's sizes), anything else as LibTorch's message without its C++ backtrace.
std::string describe_torch_error(const c10::Error& error);

}  // namespace ebm::io
