// Systematic-scan Gibbs sampling of a Gaussian N(μ, Σ) by its exact coordinate-wise
// conditionals (Geman & Geman 1984), with precision Λ = Σ⁻¹:
//   x_i | x_-i ~ N(μ_i - (1/Λ_ii) Σ_{j≠i} Λ_ij (x_j - μ_j),  1/Λ_ii),   i = 1..D in turn.
// One step is one sweep over the coordinates. On a bivariate Gaussian with correlation ρ each
// coordinate's chain is AR(1) with coefficient ρ², so its integrated autocorrelation time is
// (1 + ρ²) / (1 - ρ²): the reference mcmc_convergence measures.
#pragma once

#include "samplers/sampler.h"

namespace ebm::samplers {

class GaussianGibbsSampler : public Sampler {
 public:
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  std::string name() const override { return "gaussian_gibbs"; }
};

}  // namespace ebm::samplers
