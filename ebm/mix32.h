// A 32-bit avalanche mixer, lowbias32 (C. Wellons 2018, "Hash function prospector"): every input
// bit changes each output bit with probability close to 1/2. Two rounds keyed by a seed make the
// counter-based uniforms of ebm/bernoulli.h and samplers/checkerboard_gibbs.h.
#pragma once

#include <cstdint>

namespace ebm {

inline uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

}  // namespace ebm
