#include "trainers/exact_likelihood.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/exact_enumeration.h"

namespace ebm::trainers {

void ExactLikelihood::check_model(const EnergyModelImpl& model) const {
  auto* latent = dynamic_cast<const LatentVariableModel*>(&model);
  if (latent == nullptr || !is_enumerable(*latent)) {
    throw std::invalid_argument("the exact objective needs an RBM with at most " +
                                std::to_string(kMaxEnumeratedUnits) + " units on its smaller layer");
  }
}

LossTerms ExactLikelihood::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  check_model(model);
  auto& latent = static_cast<LatentVariableModel&>(model);
  auto energies = model.energy(batch);
  auto loss = energies.mean() + log_partition(latent, batch.scalar_type());
  return {loss, {{"nll", loss}}, {energies}};
}

}  // namespace ebm::trainers
