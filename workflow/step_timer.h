// Timing a training step for the benchmarks and the studies that measure cost: a few warm-up
// steps, then at least `min_steps` steps and at least `min_seconds`, so fast steps time well.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace ebm::experiments {

inline double seconds_per_step(const std::function<void()>& step, int64_t min_steps, double min_seconds = 0.5) {
  for (int i = 0; i < 3; ++i) step();
  int64_t done = 0;
  const auto start = std::chrono::steady_clock::now();
  double seconds = 0;
  while (done < min_steps || seconds < min_seconds) {
    step();
    ++done;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return seconds / static_cast<double>(done);
}

}  // namespace ebm::experiments
