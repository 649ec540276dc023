#include "ebm/layers/gaussian_layer.h"

#include <torch/torch.h>

#include <cmath>

namespace ebm {

GaussianLayerImpl::GaussianLayerImpl(int64_t units)
    : field(register_parameter("field", torch::zeros({units}))), log_precision(register_parameter("log_precision", torch::zeros({units}))) {}

torch::Tensor GaussianLayerImpl::energy(const torch::Tensor& x) const {
  const auto gamma = log_precision.to(x.dtype()).exp();
  return (gamma * x.pow(2) / 2 - field.to(x.dtype()) * x).sum(1);
}

torch::Tensor GaussianLayerImpl::cgf(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  const auto log_gamma = log_precision.to(inputs.dtype());
  const auto a = inputs + field.to(inputs.dtype()), b = inverse_temperature(beta, inputs);
  return (b * a.pow(2) / (2 * log_gamma.exp()) + (torch::log(2 * M_PI / b) - log_gamma) / 2).sum(1);
}

torch::Tensor GaussianLayerImpl::mean(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return (inputs + field.to(inputs.dtype())) / log_precision.to(inputs.dtype()).exp();
}

torch::Tensor GaussianLayerImpl::variance(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return ((-log_precision.to(inputs.dtype())).exp() / inverse_temperature(beta, inputs)).expand_as(inputs);
}

torch::Tensor GaussianLayerImpl::sample(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  torch::NoGradGuard no_grad;
  return mean(inputs, beta) + variance(inputs, beta).sqrt() * torch::randn_like(inputs);
}

}  // namespace ebm
