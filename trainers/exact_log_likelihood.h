// Exact log-likelihood of an enumerable latent-variable model:
//   exact_ll = mean_x [-F(x)] - log Z  (nats per example), log Z by enumeration in double.
// Reports "exact_ll" and "log_z".
#pragma once

#include "trainers/evaluator.h"

namespace ebm::trainers {

class ExactLogLikelihood : public Evaluator {
 public:
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;
  std::string primary_metric() const override { return "exact_ll"; }
  void check_model(const EnergyModelImpl& model) const override;
};

}  // namespace ebm::trainers
