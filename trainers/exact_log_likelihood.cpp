#include "trainers/exact_log_likelihood.h"

#include <stdexcept>

#include "ebm/exact_enumeration.h"

namespace ebm::trainers {

namespace {
LatentVariableModel& enumerable(const EnergyModelImpl& model) {
  auto* latent = dynamic_cast<const LatentVariableModel*>(&model);
  if (latent == nullptr || !is_enumerable(*latent)) {
    throw std::invalid_argument("exact_ll needs an RBM with at most " +
                                std::to_string(kMaxEnumeratedUnits) +
                                " units on its smaller layer");
  }
  return const_cast<LatentVariableModel&>(*latent);
}
}  // namespace

void ExactLogLikelihood::check_model(const EnergyModelImpl& model) const { enumerable(model); }

Metrics ExactLogLikelihood::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  auto& latent = enumerable(model);
  double log_z = exact_log_partition(latent);
  Metrics m;
  m["exact_ll"] = mean_log_likelihood(latent, data.data(), log_z);
  m["log_z"] = log_z;
  return m;
}

}  // namespace ebm::trainers
