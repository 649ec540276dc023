// Maximum likelihood with the exact gradient, for models whose partition function can be
// enumerated (ebm/exact_enumeration.h: an RBM's smaller layer, or every state of a binary model
// of up to 24 units) or is 1 (the analytic densities of ebm/gaussian.h):
//   loss = mean_x F(x) + log Z,   d loss/dθ = -(positive phase) - (exact negative phase),
// the negative mean log-likelihood itself. "Trained by the exact gradient" is then a config
// (objective.type: exact), the reference every approximate objective is measured against.
#pragma once

#include "trainers/objective.h"

namespace ebm::trainers {

class ExactLikelihood : public Objective {
 public:
  // Reports "nll", the batch's exact negative mean log-likelihood.
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override;
  void check_model(const EnergyModelImpl& model) const override;
  std::string name() const override { return "exact"; }
};

}  // namespace ebm::trainers
