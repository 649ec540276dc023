#include "samplers/gaussian_gibbs.h"

#include <torch/torch.h>

#include <stdexcept>

#include "io/interrupt.h"

namespace ebm::samplers {

torch::Tensor GaussianGibbsSampler::run(EnergyModelImpl& model, const torch::Tensor& x0, int64_t steps) {
  const auto form = model.gaussian_mixture_form();
  if (!form || form->weights.size(0) != 1) {
    throw std::invalid_argument("the gaussian_gibbs sampler needs a Gaussian density, not '" + model.type_name() + "'");
  }
  torch::NoGradGuard no_grad;
  auto precision = torch::linalg_inv(form->covariances[0]).to(x0.options());
  auto mean = form->means[0].to(x0.options());
  auto diagonal = precision.diagonal();
  auto conditional_std = diagonal.rsqrt();
  // Row i of `coupling` is Λ_i· / Λ_ii with a zero diagonal: the conditional mean's slope.
  auto coupling = (precision / diagonal.unsqueeze(1)).fill_diagonal_(0);
  auto centred = x0 - mean;
  const int64_t d = x0.size(1);
  for (int64_t s = 0; s < steps; ++s) {
    io::interruption_point("sampling");
    for (int64_t i = 0; i < d; ++i) {
      auto conditional_mean = -centred.mv(coupling[i]);
      centred.select(1, i).copy_(conditional_mean + conditional_std[i] * torch::randn_like(conditional_mean));
    }
  }
  return centred + mean;
}

}  // namespace ebm::samplers
