#include "trainers/exact_likelihood.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/exact_enumeration.h"
#include "ebm/gaussian.h"

namespace ebm::trainers {

namespace {
enum class LogZ { Zero, HiddenLayer, VisibleStates };
// How log Z is had: 0 for an analytic density, by the RBM's smaller layer, or by every visible state.
LogZ log_z_of(const EnergyModelImpl& model) {
  if (dynamic_cast<const AnalyticDensity*>(&model) != nullptr) return LogZ::Zero;
  auto* latent = dynamic_cast<const LatentVariableModel*>(&model);
  if (latent != nullptr && is_enumerable(*latent)) return LogZ::HiddenLayer;
  if (has_enumerable_states(model)) return LogZ::VisibleStates;
  throw std::invalid_argument("the exact objective needs an RBM with at most " + std::to_string(kMaxEnumeratedUnits) +
                              " units on its smaller layer, a binary or discrete model of at most 2^24 states, or an analytic density, not '" +
                              model.type_name() + "'");
}
}  // namespace

void ExactLikelihood::check_model(const EnergyModelImpl& model) const { log_z_of(model); }

LossTerms ExactLikelihood::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  const auto how = log_z_of(model);
  auto energies = model.energy(batch);
  auto loss = energies.mean();
  if (how == LogZ::HiddenLayer) loss = loss + log_partition(dynamic_cast<LatentVariableModel&>(model), batch.scalar_type());
  if (how == LogZ::VisibleStates) loss = loss + visible_log_partition(model, batch.scalar_type());
  return {loss, {{"nll", loss}}, {energies}};
}

}  // namespace ebm::trainers
