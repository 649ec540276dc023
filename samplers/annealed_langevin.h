// Annealed Langevin dynamics: unadjusted Langevin run down a ladder of targets that ends at the
// model, so chains cross between modes while the target is smooth and keep the proportions
// they reach there as it sharpens (Song & Ermon 2019; Neal 2001 for tempering):
//   noise ladder (analytic Gaussians and Gaussian mixtures): p_σ = p * N(0, σ² I), every
//     component's covariance widened by σ², for σ from sigma_max down to 0 geometrically; step
//     size eps_l = eps (σ_l² + s²) / s² with s the narrowest component's std (Song & Ermon's
//     scaling), the last level the model itself;
//   temperature ladder (any energy): p_β ∝ exp(-β E), β from beta_min up to 1 geometrically.
// Each level runs steps_per_level steps; run(model, x, steps) runs the whole ladder `steps` times.
#pragma once

#include "samplers/sampler.h"

namespace ebm::samplers {

struct AnnealedLangevinOptions {
  TORCH_ARG(std::string, ladder) = "temperature";  // temperature | noise
  TORCH_ARG(int64_t, levels) = 10;
  TORCH_ARG(int64_t, steps_per_level) = 100;
  TORCH_ARG(double, step_size) = 0.01;   // eps at the model itself
  TORCH_ARG(double, sigma_max) = 10;     // noise ladder
  TORCH_ARG(double, beta_min) = 0.01;    // temperature ladder
};

class AnnealedLangevinSampler : public Sampler {
 public:
  explicit AnnealedLangevinSampler(AnnealedLangevinOptions options = {});
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  void check_model(const EnergyModelImpl& model) const override;
  std::string name() const override { return "annealed_langevin"; }

 private:
  AnnealedLangevinOptions options_;
};

}  // namespace ebm::samplers
