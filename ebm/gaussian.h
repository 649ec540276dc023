// Analytic densities: normalised, so E(x) = -log p(x) and log Z = 0, with a closed-form score
// and exact sampling. They are sampler targets and ground truth in tests and evaluators.
//   Gaussian:  log N(x; μ, Σ) = -½ |L⁻¹(x - μ)|² - Σ_i log L_ii - (D/2) log 2π,   Σ = L Lᵀ,
//              ∇x E = Σ⁻¹ (x - μ).
//   Mixture:   log p(x) = logsumexp_k (log π_k + log N(x; μ_k, Σ_k)),
//              ∇x E = Σ_k r_k(x) Σ_k⁻¹ (x - μ_k),  r_k = responsibilities.
// The parameters are trainable (mean, the Cholesky factor's off-diagonal and log-diagonal,
// mixture logits), so a Gaussian is also the simplest energy model with a known optimum.
#pragma once

#include <torch/nn/pimpl.h>

#include "ebm/energy_model.h"

namespace ebm {

class AnalyticDensity : public EnergyModelImpl {
 public:
  Domain domain() const override { return Domain::Continuous; }
  torch::Tensor log_density(const torch::Tensor& x) { return -energy(x); }
  // n exact draws [n, dim] from the default generator.
  virtual torch::Tensor sample(int64_t n) = 0;
};

class GaussianImpl : public AnalyticDensity {
 public:
  // Σ = scale_tril scale_tril^T; `scale_tril` must be lower-triangular with a positive diagonal.
  GaussianImpl(const torch::Tensor& mean, const torch::Tensor& scale_tril);
  torch::Tensor energy(const torch::Tensor& x) override;
  torch::Tensor energy_gradient(const torch::Tensor& x) override;
  torch::Tensor sample(int64_t n) override;
  int64_t dim() const override { return mean.size(0); }
  std::string type_name() const override { return "gaussian"; }
  torch::Tensor scale_tril() const;  // L
  torch::Tensor covariance() const;  // L Lᵀ
  std::optional<GaussianMixtureForm> gaussian_mixture_form() const override;

  torch::Tensor mean, tril_offdiag, log_diag;
};
TORCH_MODULE(Gaussian);

class GaussianMixtureImpl : public AnalyticDensity {
 public:
  // weights [K] (positive, normalised here), means [K, D], scale_trils [K, D, D].
  GaussianMixtureImpl(const torch::Tensor& weights, const torch::Tensor& means, const torch::Tensor& scale_trils);
  torch::Tensor energy(const torch::Tensor& x) override;
  torch::Tensor energy_gradient(const torch::Tensor& x) override;
  torch::Tensor sample(int64_t n) override;
  int64_t dim() const override { return means.size(1); }
  std::string type_name() const override { return "gaussian_mixture"; }
  int64_t num_components() const { return means.size(0); }
  torch::Tensor weights() const;      // π [K]
  torch::Tensor scale_trils() const;  // L_k [K, D, D]
  // log π_k + log N(x; μ_k, Σ_k) [B, K].
  torch::Tensor component_log_joint(const torch::Tensor& x);
  std::optional<GaussianMixtureForm> gaussian_mixture_form() const override;

  torch::Tensor logits, means, tril_offdiag, log_diag;
};
TORCH_MODULE(GaussianMixture);

}  // namespace ebm
