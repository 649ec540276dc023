// Swendsen-Wang cluster sweeps for the ferromagnetic lattice Ising model (ebm/lattice_ising.h,
// J > 0; Swendsen & Wang 1987, "Nonuniversal critical dynamics in Monte Carlo simulations"). One
// sweep puts a bond on each pair of aligned neighbours with probability
//   p = 1 - exp(-2 beta J)
// (the Fortuin-Kasteleyn representation; a double bond of a side of 2 is two bonds), joins the
// sites the bonds connect into clusters (union-find), and draws every cluster's spin afresh:
// given the bonds the clusters are independent, and a cluster C takes +1 with probability
//   sigmoid(2 beta h |C|)
// (one half without a field; Edwards & Sokal 1988 give the joint law of spins and bonds whose
// two conditionals these are, so the sweep leaves p(s) ~ exp(-beta E(s)) invariant). Every site
// is redrawn each sweep, where a Wolff move (samplers/wolff_cluster.h) flips one cluster; near the
// critical point both decorrelate in a number of sweeps that grows slowly with the side
// (Swendsen & Wang measured z of about 0.35 in two dimensions, against about 2.1 for local moves).
// Each chain draws from its own stream (samplers/chain_streams.h): the result does not depend on
// the thread count. CPU only.
#pragma once

#include <torch/types.h>

#include "ebm/lattice_ising.h"

namespace ebm::samplers {

// `sweeps` Swendsen-Wang sweeps of every chain of `spins` (int8 [chains, sides...], +-1, on the
// CPU; changed in place) at inverse temperature `beta`; returns the number of clusters of each
// chain's last sweep, int64 [chains]. Throws std::invalid_argument for a coupling that is not
// ferromagnetic, a negative beta, or spins of another dtype, shape or device.
torch::Tensor swendsen_wang_sweeps(const LatticeIsing& lattice, double beta, torch::Tensor& spins, int64_t sweeps);

}  // namespace ebm::samplers
