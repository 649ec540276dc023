// A 64-bit seed from LibTorch's default CPU generator, taken under its lock: the key of the
// counter-based draws (ebm/bernoulli.h, samplers/checkerboard_gibbs.h) and of the per-chain streams
// (samplers/chain_streams.h: Wolff and Swendsen-Wang cluster moves),
// so that torch::manual_seed (the config's seed) governs them and each call draws afresh.
#pragma once

#include <cstdint>

namespace ebm {

uint64_t draw_seed();

}  // namespace ebm
