#include "experiments/system_info.h"

#include <dlfcn.h>

#include <fstream>

namespace ebm::experiments {

std::string blas_description() {
  std::string library = "unknown";
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    auto slash = line.find('/');
    if (slash != std::string::npos && line.find("blas", slash) != std::string::npos) {
      library = line.substr(slash);
      break;
    }
  }
  using ConfigFunction = const char* (*)();
  if (auto config = reinterpret_cast<ConfigFunction>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
    return std::string("OpenBLAS ") + config() + " (" + library + ")";
  }
  return library;
}

}  // namespace ebm::experiments
