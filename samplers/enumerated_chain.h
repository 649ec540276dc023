// The block-Gibbs chain of a small binary latent-variable model, exactly: its transition matrix
// over all 2^V visible states,
//   T[v, v'] = Σ_h p(h | v) p(v' | h),
// so the distribution after k steps from a start distribution q0 is q0 T^k, with no sampling
// noise (the expected CD-k update, short-run chains, persistent-chain lag are then exact).
// Also the empirical distribution of a set of chains and the total-variation distance.
#pragma once

#include <torch/types.h>

#include "ebm/latent_variable_model.h"

namespace ebm::samplers {

// Most visible and hidden units the transition matrix is built for (2^12 x 2^12 doubles).
constexpr int64_t kMaxChainVisible = 12, kMaxChainHidden = 20;

// T [2^V, 2^V] in double, rows summing to 1 (state r has bit i = v_i, as binary_states).
// Throws std::invalid_argument for a model beyond the limits above or with non-binary units.
torch::Tensor gibbs_transition_matrix(LatentVariableModel& model);

// q T^k for a distribution q [S] (or one per row, [N, S]).
torch::Tensor advance(const torch::Tensor& q, const torch::Tensor& transition, int64_t k);

// The share of the binary rows [N, V] in each of the 2^V states, in double.
torch::Tensor empirical_distribution(const torch::Tensor& binary_rows);

// TV(p, q) = ½ Σ |p - q|.
double total_variation(const torch::Tensor& p, const torch::Tensor& q);

}  // namespace ebm::samplers
