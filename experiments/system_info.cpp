#include "experiments/system_info.h"

#include <dlfcn.h>

#include <cstdio>
#include <fstream>
#include <thread>

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

std::string machine_description() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown processor";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores";
}

std::string gpu_name() {
  FILE* pipe = popen("nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null", "r");
  if (pipe == nullptr) return "unknown GPU";
  char line[256] = {0};
  const bool read = fgets(line, sizeof line, pipe) != nullptr;
  pclose(pipe);
  std::string name = read ? line : "";
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r' || name.back() == ' ')) name.pop_back();
  return name.empty() ? "unknown GPU" : name;
}

}  // namespace ebm::experiments
