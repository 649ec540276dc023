// Wolff's single-cluster moves for the ferromagnetic lattice Ising model (ebm/lattice_ising.h,
// J > 0, h = 0; Wolff 1989, "Collective Monte Carlo updating for spin systems"). One move picks a
// site uniformly, grows the cluster of its aligned spins by adding each aligned neighbour through
// each bond with probability
//   p_add = 1 - exp(-2 beta J)
// (a bond is tried once, from the cluster site that reaches it first; a double bond of a side of
// 2 is two bonds), and flips the whole cluster. It is the Fortuin-Kasteleyn (Swendsen-Wang 1987)
// bond representation restricted to one cluster: the move satisfies detailed balance for
// p(s) ~ exp(-beta E(s)), and since a cluster can be the chosen site alone it is irreducible.
// Near the critical point the clusters are the correlated regions, so the integrated
// autocorrelation time in sweeps grows with the side L only as about L^0.25 (Coddington &
// Baillie 1992), against about L^2.17 for local Gibbs updates (Nightingale & Blöte 1996).
//
// Each chain draws from its own 64-bit stream (splitmix64, Steele, Lea & Flood 2014) keyed by a
// seed from the default generator and the chain's index, so the moves do not depend on the
// thread count; the chains are shared over LibTorch's intra-op threads. CPU only.
#pragma once

#include <torch/types.h>

#include "ebm/lattice_ising.h"

namespace ebm::samplers {

// `moves` Wolff moves of every chain of `spins` (int8 [chains, sides...], +-1, on the CPU; changed
// in place) at inverse temperature `beta`; returns the number of spins each chain flipped, int64
// [chains] (their mean over the moves is the mean cluster size). Throws std::invalid_argument for a
// field or a coupling that is not ferromagnetic, spins of another dtype, shape or device.
torch::Tensor wolff_moves(const LatticeIsing& lattice, double beta, torch::Tensor& spins, int64_t moves);

}  // namespace ebm::samplers
