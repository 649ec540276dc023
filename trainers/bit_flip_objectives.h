// Objectives for energies on {0, 1}^D built from the energy change of flipping one unit,
//   Δ_i(x) = E(x) - E(x̄_i),  x̄_i = x with unit i flipped, so p(x) / p(x̄_i) = exp(-Δ_i):
//   pseudo_likelihood (Besag 1975)      L = E_x Σ_i softplus(Δ_i)   = -E_x Σ_i log p(x_i | x_-i)
//   ratio_matching (Hyvärinen 2007)     L = E_x Σ_i σ(Δ_i)²         (g(u) = 1/(1+u) of p(x)/p(x̄_i))
//   mpf (Sohl-Dickstein et al. 2011)    L = E_x Σ_i exp(Δ_i / 2)    (minimum probability flow,
//                                        single-bit-flip connectivity)
// None needs log Z or samples from the model; all cost one energy pass over B·D flipped states.
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

// Δ [B, D]: E(x) - E(x̄_i) for every example and unit.
torch::Tensor flip_energy_differences(EnergyModelImpl& model, const torch::Tensor& x);

}  // namespace ebm::trainers
