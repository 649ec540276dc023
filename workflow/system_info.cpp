#include "workflow/system_info.h"

#include <dlfcn.h>
#include <malloc.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

namespace ebm::experiments {

std::string blas_core_to_force(const std::string& chosen_core, const CpuVectorUnits& cpu) {
  // The Intel cores OpenBLAS falls back to for a model it does not know; all lack AVX2.
  static const std::set<std::string> fallbacks = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge"};
  if (!fallbacks.count(chosen_core)) return "";
  if (cpu.avx512) return "SkylakeX";
  if (cpu.avx2_fma) return "Haswell";
  return "";
}

void keep_large_blocks_on_the_heap() {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

void restart_if_blas_misjudged_the_cpu(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE")) return;  // the user's choice stands
  using CoreNameFunction = const char* (*)();
  auto core_name = reinterpret_cast<CoreNameFunction>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!core_name) return;  // another BLAS
  CpuVectorUnits cpu;
  __builtin_cpu_init();
  cpu.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  cpu.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  const auto core = blas_core_to_force(core_name(), cpu);
  if (core.empty()) return;
  setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  execv("/proc/self/exe", argv);  // returns only on failure: run on with the slower kernels
}

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
    return std::string("OpenBLAS ") + config() + " (" + library + ")";  // names the core in use
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
