// Checkerboard (two-colour block) heat-bath Gibbs sampling of the lattice Ising model
// (ebm/lattice_ising.h): on a lattice with even sides the sites of one colour (sum of
// coordinates even, or odd) have all their neighbours in the other colour, so one colour's spins
// are conditionally independent given the other's and are all drawn at once from
//   p(s_i = +1 | rest) = sigmoid(2 beta (J m_i + h)),   m_i = sum of the 2d neighbours,
// then the other colour's (Geman & Geman 1984; the lattice form as in Preis et al. 2009). One
// sweep is both half-sweeps; each leaves p(s) invariant, and the sweep is irreducible and aperiodic.
//
// On CPU the kernel works on int8 spins in place: a spin's neighbour sum takes one of 2d + 1
// values, so its up-probability is one of 2d + 1 thresholds t_m = min(floor(p_m 2^32), 2^32 - 1),
// compared with a 32-bit uniform u: s_i = +1 when u < t_m (the probability is p_m to within 2^-32). u comes from
// a counter-based hash of the site's index keyed by a 64-bit seed drawn from the default
// generator per half-sweep (as ebm/bernoulli.h does), so the result does not depend on the
// thread count and the config seed governs it. Other devices use tensor operations.
#pragma once

#include <torch/types.h>

#include "ebm/lattice_ising.h"

namespace ebm::samplers {

// `sweeps` sweeps of every chain of `spins` (int8 [chains, sides...], +-1; changed in place) at
// inverse temperature `beta`. Throws std::invalid_argument for a lattice with an odd side (the
// checkerboard does not colour it) or spins of another dtype or shape.
void checkerboard_gibbs(const LatticeIsing& lattice, double beta, torch::Tensor& spins, int64_t sweeps);

}  // namespace ebm::samplers
