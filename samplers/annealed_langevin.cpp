#include "samplers/annealed_langevin.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "ebm/gaussian.h"
#include "io/interrupt.h"
#include "samplers/metropolis.h"

namespace ebm::samplers {

namespace {

// The mixture p * N(0, σ² I) (a Gaussian is a mixture of one) and its narrowest std.
struct Smoothed {
  std::shared_ptr<GaussianMixtureImpl> density;
  double narrowest = 1;
};

Smoothed smoothed(const GaussianMixtureForm& form, double sigma) {
  torch::NoGradGuard no_grad;
  const auto& [weights, means, covariances] = form;
  const int64_t d = means.size(1);
  const double narrowest = std::sqrt(torch::linalg_eigvalsh(covariances).min().item<double>());
  auto widened = covariances + sigma * sigma * torch::eye(d, covariances.options());
  return {std::make_shared<GaussianMixtureImpl>(weights, means, torch::linalg_cholesky(widened)), narrowest};
}

}  // namespace

AnnealedLangevinSampler::AnnealedLangevinSampler(AnnealedLangevinOptions options) : options_(std::move(options)) {
  if (options_.ladder() != "noise" && options_.ladder() != "temperature") {
    throw std::invalid_argument("annealed_langevin ladder must be noise or temperature, not '" + options_.ladder() + "'");
  }
}

void AnnealedLangevinSampler::check_model(const EnergyModelImpl& model) const {
  if (options_.ladder() == "noise" && !model.gaussian_mixture_form()) {
    throw std::invalid_argument("annealed_langevin's noise ladder needs a gaussian or a Gaussian-mixture density (the "
                                "data_density of mixture data), not '" + model.type_name() + "'; use ladder: temperature");
  }
}

torch::Tensor AnnealedLangevinSampler::run(EnergyModelImpl& model, const torch::Tensor& x0, int64_t steps) {
  check_model(model);
  torch::NoGradGuard no_grad;
  // The closed form, read once per run, only for the noise ladder that smooths it.
  const auto form = options_.ladder() == "noise" ? model.gaussian_mixture_form() : std::nullopt;
  const int64_t levels = options_.levels();
  auto x = x0.clone();
  for (int64_t sweep = 0; sweep < steps; ++sweep) {
    io::interruption_point("sampling");
    for (int64_t l = 0; l < levels; ++l) {
      // Fraction of the way down the ladder: 0 at the smoothest level, 1 at the model.
      const double t = levels == 1 ? 1.0 : static_cast<double>(l) / static_cast<double>(levels - 1);
      std::shared_ptr<EnergyModelImpl> target;
      double eps = options_.step_size(), beta = 1;
      if (options_.ladder() == "noise") {
        const double sigma = l + 1 == levels ? 0.0 : options_.sigma_max() * std::pow(1e-2, t);  // down to sigma_max/100
        auto s = smoothed(*form, sigma);
        eps *= (sigma * sigma + s.narrowest * s.narrowest) / (s.narrowest * s.narrowest);
        target = s.density;
      } else {
        beta = std::pow(options_.beta_min(), 1 - t);
        eps /= beta;  // the tempered density is wider by 1/sqrt(beta)
      }
      EnergyModelImpl& at = target ? *target : model;
      for (int64_t k = 0; k < options_.steps_per_level(); ++k) {
        auto grad = at.energy_gradient(x).to(x.options());
        x = x - 0.5 * eps * beta * grad + std::sqrt(eps) * torch::randn_like(x);
      }
    }
  }
  return x;
}

}  // namespace ebm::samplers
