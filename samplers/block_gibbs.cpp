#include "samplers/block_gibbs.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/latent_variable_model.h"
#include "io/interrupt.h"

namespace ebm::samplers {

torch::Tensor BlockGibbsSampler::run(EnergyModelImpl& model, const torch::Tensor& v,
                                     int64_t steps) {
  auto* latent = &latent_variables_of(model, "the gibbs sampler");
  torch::NoGradGuard no_grad;
  torch::Tensor x = v;
  for (int64_t s = 0; s < steps; ++s) {
    io::interruption_point("sampling");
    x = latent->sample_visible(latent->sample_hidden(x));
  }
  return x;
}

}  // namespace ebm::samplers
