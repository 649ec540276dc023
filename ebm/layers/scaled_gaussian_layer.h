// Gaussian units in the form of Cho, Ilin & Raiko (2011), "Improved learning of Gaussian-Bernoulli
// RBMs": means b and variances sigma^2 = exp(z) learnt (z "log_variance"), and the weights
// coupling x / sigma^2 rather than x:
//   E_n(x) = (x - b_n)^2 / (2 sigma_n^2),   s_n(x) = x / sigma_n^2,
// so given the input I (which multiplies s(x)) at inverse temperature beta
//   x ~ N(b + I, sigma^2 / beta),   Gamma_n(I) = beta ((b_n + I)^2 - b_n^2) / (2 sigma_n^2) + log(2 pi sigma_n^2 / beta) / 2.
// With binary hidden units this is their Gaussian-Bernoulli RBM (model.type gaussian_bernoulli_rbm),
// E(v, h) = sum (v - b)^2 / (2 sigma^2) - (v / sigma^2)^T W h - c^T h.
#pragma once

#include "ebm/layers/layer.h"

namespace ebm {

class ScaledGaussianLayerImpl : public LayerImpl {
 public:
  // learn_variance false: z is not trained (not a parameter that requires a gradient).
  explicit ScaledGaussianLayerImpl(int64_t units, bool learn_variance = true);
  int64_t units() const override { return bias.size(0); }
  torch::Tensor energy(const torch::Tensor& x) const override;
  torch::Tensor statistic(const torch::Tensor& x) const override;
  EnergyAndStatistic energy_and_statistic(const torch::Tensor& x) const override;
  torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  std::string type_name() const override { return "scaled_gaussian"; }
  Domain domain() const override { return Domain::Continuous; }
  std::string invalid_state(const torch::Tensor& x) const override;
  LayerPtr blank() const override;
  // b and sigma^2 the data's means and variances (floored at 1e-4), in the data's dtype (Cho et
  // al. 2011, section 4).
  LayerPtr independent_fit(const torch::Tensor& data) const override;
  // (1 - beta) E_base + beta E, still coupled through x / sigma^2 of this layer: a layer of
  // another class (its potential is not of this form), for AIS's path only.
  LayerPtr interpolated(const LayerImpl& base, double beta) const override;
  // b += delta: E(x) - delta . s(x) up to a constant.
  void shift_field(const torch::Tensor& delta) override;

  // sigma^2 [units] in `dtype`.
  torch::Tensor unit_variance(torch::Dtype dtype) const { return log_variance.to(dtype).exp(); }

  torch::Tensor bias;          // b [units]
  torch::Tensor log_variance;  // z [units]

 private:
  torch::Tensor energy_with(const torch::Tensor& x, const torch::Tensor& variance) const;
  // sigma^2 / beta, [units] or one row per beta (variance() broadcast to the inputs).
  torch::Tensor tempered_variance(const torch::Tensor& inputs, const torch::Tensor& beta) const;
};
TORCH_MODULE(ScaledGaussianLayer);

}  // namespace ebm
