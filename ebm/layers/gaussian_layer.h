// Gaussian units x in R with fields theta and precisions gamma > 0 (learnt as log gamma):
// E_n(x) = gamma_n x^2 / 2 - theta_n x, so given the input I, with a = theta_n + I,
//   Gamma_n(I) = beta a^2 / (2 gamma) + log(2 pi / (beta gamma)) / 2,  x ~ N(a / gamma, 1 / (beta gamma)).
#pragma once

#include "ebm/layers/layer.h"

namespace ebm {

class GaussianLayerImpl : public LayerImpl {
 public:
  explicit GaussianLayerImpl(int64_t units);
  int64_t units() const override { return field.size(0); }
  torch::Tensor energy(const torch::Tensor& x) const override;
  torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  std::string type_name() const override { return "gaussian"; }
  Domain domain() const override { return Domain::Continuous; }
  std::string invalid_state(const torch::Tensor& x) const override;
  LayerPtr blank() const override { return std::make_shared<GaussianLayerImpl>(units()); }
  // gamma = 1 / s^2 and theta = m / s^2 of the data's means m and variances s^2 (floored at 1e-6).
  LayerPtr independent_fit(const torch::Tensor& data) const override;
  // theta and gamma interpolated (log gamma is not).
  LayerPtr interpolated(const LayerImpl& base, double beta) const override;
  void shift_field(const torch::Tensor& delta) override;

  torch::Tensor field;      // theta [units]
  torch::Tensor log_precision;  // log gamma [units]

 protected:
  // blank() with these parameters.
  LayerPtr with_parameters(const torch::Tensor& theta, const torch::Tensor& log_gamma) const;
};
TORCH_MODULE(GaussianLayer);

}  // namespace ebm
