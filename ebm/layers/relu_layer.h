// ReLU units x >= 0 (Nair & Hinton 2010; as RBM hidden units, Tubiana & Monasson 2017) with
// fields theta and precisions gamma > 0 (learnt as log gamma): E_n(x) = gamma_n x^2 / 2 - theta_n x
// on x >= 0, so given the input I the unit is N(a / gamma, s^2) truncated to x >= 0, with
// a = theta_n + I, s = 1 / sqrt(beta gamma), z = a sqrt(beta / gamma) (the mode over s):
//   Gamma_n(I) = log(s sqrt(pi / 2)) + log erfcx(-z / sqrt 2),
//   lambda = sqrt(2 / pi) / erfcx(-z / sqrt 2)  (the standard normal's mean beyond -z),
//   mean = s (z + lambda),  variance = s^2 (1 - lambda (lambda + z)),
// erfcx(t) = exp(t^2) erfc(t) keeping every term finite far into either tail (its log as
// t^2 + log erfc(t) where erfcx itself would overflow). Draws invert the
// normal CDF on the tail (in double; beyond 37 standard deviations, the tail's exponential limit).
// relu_unit:: are the formulas for one half-line, which dReLU units (drelu_layer.h) are made of.
#pragma once

#include "ebm/layers/gaussian_layer.h"

namespace ebm {

namespace relu_unit {
// Elementwise, for fields a (input included) and precisions gamma of the same shape, and inverse
// temperatures beta that broadcast against them.
torch::Tensor cgf(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta);
torch::Tensor mean(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta);
torch::Tensor variance(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta);
torch::Tensor sample(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta);
}  // namespace relu_unit

// A Gaussian unit's potential and parameters, restricted to x >= 0.
class ReLULayerImpl : public GaussianLayerImpl {
 public:
  using GaussianLayerImpl::GaussianLayerImpl;
  torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  std::string type_name() const override { return "relu"; }
  std::string invalid_state(const torch::Tensor& x) const override;
  LayerPtr blank() const override { return std::make_shared<ReLULayerImpl>(units()); }
  // No closed form: blank().
  LayerPtr independent_fit(const torch::Tensor&) const override { return blank(); }
};
TORCH_MODULE(ReLULayer);

}  // namespace ebm
