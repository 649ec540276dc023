#include "io/out_of_memory.h"

#include <cstdlib>
#include <cstring>

namespace ebm::io {

std::optional<double> failed_allocation_bytes(const c10::Error& error) {
  const std::string what = error.what_without_backtrace();
  auto found = what.find("you tried to allocate ");
  if (found != std::string::npos) return std::strtod(what.c_str() + found + 22, nullptr);
  found = what.find("Tried to allocate ");
  if (found == std::string::npos) return std::nullopt;
  char* unit = nullptr;
  const double amount = std::strtod(what.c_str() + found + 18, &unit);
  for (const auto& [name, scale] : {std::pair{" GiB", 1073741824.0}, {" MiB", 1048576.0}, {" KiB", 1024.0}}) {
    if (std::strncmp(unit, name, 4) == 0) return amount * scale;
  }
  return amount;
}

std::string out_of_memory_message(double bytes, const std::string& blame) {
  char size[32];
  std::snprintf(size, sizeof size, "%.3g", bytes / 1e9);
  return std::string("out of memory: an allocation of ") + size + " GB failed" + blame;
}

std::string describe_torch_error(const c10::Error& error) {
  if (const auto bytes = failed_allocation_bytes(error)) {  // the size, not LibTorch's source line
    return out_of_memory_message(*bytes, "; a size in the config (model width, data rows, batch_size, chains) is too "
                                          "large for this machine");
  }
  return error.what_without_backtrace();
}

}  // namespace ebm::io
