#include "samplers/block_gibbs.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/latent_variable_model.h"
#include "io/interrupt.h"

namespace ebm::samplers {

void BlockGibbsSampler::check_model(const EnergyModelImpl& model) const {
  if (dynamic_cast<const LatentVariableModel*>(&model) == nullptr) {
    throw std::invalid_argument("the gibbs sampler needs a latent-variable model (an RBM), not '" +
                                model.type_name() + "'");
  }
}

torch::Tensor BlockGibbsSampler::run(EnergyModelImpl& model, const torch::Tensor& v,
                                     int64_t steps) {
  check_model(model);
  auto* latent = static_cast<LatentVariableModel*>(&model);
  torch::NoGradGuard no_grad;
  torch::Tensor x = v;
  for (int64_t s = 0; s < steps; ++s) {
    io::interruption_point("sampling");
    x = latent->sample_visible(latent->sample_hidden(x));
  }
  return x;
}

}  // namespace ebm::samplers
