// Exact evaluators of enumerable models, in double:
//   exact_ll = mean_x [-F(x)] - log Z  (nats per example), log Z by enumeration of an RBM's
//   smaller layer, or of every visible state of any other binary model (an MLP energy on binary
//   data); reports "exact_ll" and "log_z";
//   off_data_mass = Σ_{v not among the data's rows} p(v), the probability the model puts on
//   patterns it never saw (spurious modes), by enumerating every visible state.
#pragma once

#include "ebm/latent_variable_model.h"
#include "trainers/evaluator.h"

namespace ebm::trainers {

class ExactLogLikelihood : public Evaluator {
 public:
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;
  std::string primary_metric() const override { return "exact_ll"; }
  double uniform_model_value(const EnergyModelImpl& model) const override { return uniform_log_likelihood(model); }
  void check_model(const EnergyModelImpl& model) const override;
};

// Reports "off_data_mass" and "off_data_top_share", the largest single non-data state's probability.
class OffDataMass : public Evaluator {
 public:
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;
  std::string primary_metric() const override { return "off_data_mass"; }
  bool higher_is_better() const override { return false; }
  void check_model(const EnergyModelImpl& model) const override;
};

// The probability of every visible state [2^V] and whether each is among the rows of `data`.
struct VisibleDistribution {
  torch::Tensor probabilities, is_data;
};
VisibleDistribution visible_distribution(LatentVariableModel& model, const torch::Tensor& data);

}  // namespace ebm::trainers
