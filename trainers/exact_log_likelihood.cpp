#include "trainers/exact_log_likelihood.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/exact_enumeration.h"

namespace ebm::trainers {

namespace {
// The RBM whose smaller layer is enumerated, or none when every visible state is.
LatentVariableModel* by_hidden_layer(const EnergyModelImpl& model) {
  auto* latent = dynamic_cast<LatentVariableModel*>(const_cast<EnergyModelImpl*>(&model));
  if (latent != nullptr && is_enumerable(*latent)) return latent;
  if (has_enumerable_states(model)) return nullptr;
  throw std::invalid_argument("exact_ll needs an RBM with at most " + std::to_string(kMaxEnumeratedUnits) +
                              " units on its smaller layer, or a binary or discrete model of at most 2^24 states");
}
}  // namespace

void ExactLogLikelihood::check_model(const EnergyModelImpl& model) const { by_hidden_layer(model); }

Metrics ExactLogLikelihood::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  auto* latent = by_hidden_layer(model);
  const double log_z = latent != nullptr ? exact_log_partition(*latent) : binary_log_partition(model);
  Metrics m;
  m["exact_ll"] = mean_log_likelihood(model, data.data(), log_z);
  m["log_z"] = log_z;
  return m;
}

VisibleDistribution visible_distribution(LatentVariableModel& model, const torch::Tensor& data) {
  auto probabilities = visible_log_probabilities(model).exp().cpu();
  auto is_data = torch::zeros({probabilities.size(0)}, torch::kBool);
  is_data.index_put_({state_indices(data.cpu())}, true);
  return {probabilities, is_data};
}

void OffDataMass::check_model(const EnergyModelImpl& model) const {
  if (model.dim() > kMaxEnumeratedUnits) {
    throw std::invalid_argument("off_data_mass needs at most " + std::to_string(kMaxEnumeratedUnits) +
                                " visible units, not " + std::to_string(model.dim()));
  }
}

Metrics OffDataMass::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  check_model(model);
  auto d = visible_distribution(latent_variables_of(model, "off_data_mass"), data.data());
  auto off = d.probabilities.masked_fill(d.is_data, 0.0);
  Metrics m;
  m["off_data_mass"] = off.sum().item<double>();
  m["off_data_top_share"] = off.max().item<double>();
  return m;
}

}  // namespace ebm::trainers
