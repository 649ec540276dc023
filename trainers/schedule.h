// Learning-rate schedules: lr(t) = lr0 * factor(t / T) over T training steps.
//   constant  factor = 1
//   linear    factor = 1 - t/T           (as in Tieleman 2008 for PCD)
//   cosine    factor = (1 + cos(pi t/T)) / 2   (Loshchilov & Hutter 2017, without restarts)
// Decay matters for persistent chains: with a constant rate the model keeps moving faster than
// the chains mix and the likelihood oscillates.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>

namespace ebm::trainers {

inline double schedule_factor(const std::string& schedule, int64_t step, int64_t total) {
  const double t = total > 0 ? static_cast<double>(step) / static_cast<double>(total) : 0.0;
  if (schedule == "constant") return 1.0;
  if (schedule == "linear") return 1.0 - t;
  if (schedule == "cosine") return 0.5 * (1.0 + std::cos(M_PI * t));
  throw std::invalid_argument("unknown learning-rate schedule '" + schedule + "'");
}

}  // namespace ebm::trainers
