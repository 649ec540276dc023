#include "ebm/seed.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

namespace ebm {

uint64_t draw_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get<at::CPUGeneratorImpl>()->random64();
}

}  // namespace ebm
