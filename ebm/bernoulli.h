// Bernoulli sampling by inversion: x = [u < p], u ~ U(0, 1).
// On CPU, u comes from a counter-based generator: u_i = hash(seed, i) with a 64-bit seed drawn
// from the default generator per call (so the config seed and checkpoints govern it), and the
// draw is one fused, threaded pass whose result does not depend on the thread count. The hash
// is two rounds of a 32-bit avalanche mixer (lowbias32, C. Wellons 2018) keyed by the seed.
// About 5x faster than torch::bernoulli here. Other devices use rand_like(p) < p.
#pragma once

#include <ATen/ATen.h>

namespace ebm {

at::Tensor sample_bernoulli(const at::Tensor& probs);

}  // namespace ebm
