#include "trainers/exact_likelihood.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/exact_enumeration.h"
#include "ebm/gaussian.h"

namespace ebm::trainers {

void ExactLikelihood::check_model(const EnergyModelImpl& model) const {
  if (dynamic_cast<const AnalyticDensity*>(&model) != nullptr) return;
  auto* latent = dynamic_cast<const LatentVariableModel*>(&model);
  if (latent == nullptr || !is_enumerable(*latent)) {
    throw std::invalid_argument("the exact objective needs an RBM with at most " +
                                std::to_string(kMaxEnumeratedUnits) +
                                " units on its smaller layer, or an analytic density, not '" + model.type_name() + "'");
  }
}

LossTerms ExactLikelihood::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  check_model(model);
  auto energies = model.energy(batch);
  auto* latent = dynamic_cast<LatentVariableModel*>(&model);
  auto loss = latent ? energies.mean() + log_partition(*latent, batch.scalar_type()) : energies.mean();
  return {loss, {{"nll", loss}}, {energies}};
}

}  // namespace ebm::trainers
