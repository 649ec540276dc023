// Learning-rate schedules: lr(t) = lr0 * factor(t / T) over T training steps.
//   constant  factor = 1
//   linear    factor = 1 - t/T           (as in Tieleman 2008 for PCD)
//   cosine    factor = (1 + cos(pi t/T)) / 2   (Loshchilov & Hutter 2017, without restarts)
// Decay matters for persistent chains: with a constant rate the model keeps moving faster than
// the chains mix and the likelihood oscillates.
#pragma once

#include <cmath>

namespace ebm::trainers {

inline double constant_schedule(double) { return 1.0; }
inline double linear_schedule(double t) { return 1.0 - t; }
inline double cosine_schedule(double t) { return 0.5 * (1.0 + std::cos(M_PI * t)); }

}  // namespace ebm::trainers
