// Evaluators for RBMs beyond exact enumeration (annealing: trainers/annealed_likelihood.h):
//   pl:   pseudo-likelihood (Besag 1975), sum_i log p(x_i | x_-i) over the model's units, each
//         conditional from the free energies of the unit's states (for binary units
//         sigmoid(F(x with x_i flipped) - F(x))), every unit, exactly (trainers/bit_flip_objectives.h).
//   recon: one mean-field pass x -> p(h|x) -> p(x|h) =: r; squared error and cross-entropy.
#pragma once

#include "trainers/evaluator.h"

namespace ebm::trainers {

// Reports "pseudo_ll_total" (nats per example, summed over units) and
// "pseudo_ll_per_feature" (the same divided by the number of units).
class PseudoLikelihood : public Evaluator {
 public:
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;
  std::string primary_metric() const override { return "pseudo_ll_total"; }
  double uniform_model_value(const EnergyModelImpl& model) const override { return uniform_log_likelihood(model); }
};

// Reports "recon_mse" (per feature) and "recon_xent" (nats per example); lower is better, so
// the primary metric is their negation, "neg_recon_xent".
class Reconstruction : public Evaluator {
 public:
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;
  std::string primary_metric() const override { return "neg_recon_xent"; }
};

}  // namespace ebm::trainers
