// Objectives for energies on {0, 1}^D built from the energy change of flipping one unit,
//   Δ_i(x) = E(x) - E(x̄_i),  x̄_i = x with unit i flipped, so p(x) / p(x̄_i) = exp(-Δ_i):
//   pseudo_likelihood (Besag 1975)      L = E_x Σ_i softplus(Δ_i)   = -E_x Σ_i log p(x_i | x_-i)
//   ratio_matching (Hyvärinen 2007)     L = E_x Σ_i σ(Δ_i)²         (g(u) = 1/(1+u) of p(x)/p(x̄_i))
//   mpf (Sohl-Dickstein et al. 2011)    L = E_x Σ_i exp(Δ_i / 2)    (minimum probability flow,
//                                        single-bit-flip connectivity)
// None needs log Z or samples from the model; all cost one energy pass over B·D flipped states.
// Pseudo-likelihood also runs on models whose units have S > 2 states (Potts units, one-hot
// groups: EnergyModelImpl::unit_states), with Δ_ik = E(x) - E(x with unit i in its k-th other state):
//   -log p(x_i | x_-i) = log(1 + Σ_k exp(Δ_ik)) = softplus(logsumexp_k Δ_ik),
// which is softplus(Δ_i) for one other state.
#pragma once

#include <string>

#include "trainers/objective.h"

namespace ebm::trainers {

class BitFlipObjective : public Objective {
 public:
  // kind: pseudo_likelihood | ratio_matching | mpf
  explicit BitFlipObjective(std::string kind);
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override;
  std::string name() const override { return kind_; }

 private:
  std::string kind_;
};

// Δ [B, U, S - 1]: E(x) - E(x with unit i in each of its other states), for every example and
// unit (of S states each, model.unit_states(); binary: [B, D, 1], the flip). The other states of
// a unit in state r are r + 1, ..., r + S - 1 (mod S). std::invalid_argument for a model whose
// units have no finite states.
torch::Tensor unit_change_differences(EnergyModelImpl& model, const torch::Tensor& x);

// -sum_i log p(x_i | x_-i) per row [B] = sum_i softplus(logsumexp_k Δ_ik): the pseudo-likelihood
// objective's term and the pl evaluator's figure.
torch::Tensor pseudo_negative_log_likelihood(EnergyModelImpl& model, const torch::Tensor& x);

}  // namespace ebm::trainers
