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

std::string GaussianLayerImpl::invalid_state(const torch::Tensor& x) const {
  return first_non_finite_row(x);
}

LayerPtr GaussianLayerImpl::with_parameters(const torch::Tensor& theta, const torch::Tensor& log_gamma) const {
  auto out = blank();
  auto& layer = static_cast<GaussianLayerImpl&>(*out);
  torch::NoGradGuard no_grad;
  layer.field.set_data(theta.detach().clone());
  layer.log_precision.set_data(log_gamma.detach().clone());
  return out;
}

LayerPtr GaussianLayerImpl::independent_fit(const torch::Tensor& data) const {
  if (!has_rows(data) || data.size(0) < 2) return blank();
  const auto x = data.to(torch::kFloat64);
  const auto variance = x.var(0).clamp_min(1e-6);
  return with_parameters(x.mean(0) / variance, -variance.log());
}

LayerPtr GaussianLayerImpl::interpolated(const LayerImpl& base, double beta) const {
  const auto& from = dynamic_cast<const GaussianLayerImpl&>(base);
  const auto mix = [beta](const torch::Tensor& a, const torch::Tensor& b) {
    return a.detach().to(torch::kFloat64) * (1 - beta) + b.detach().to(torch::kFloat64) * beta;
  };
  return with_parameters(mix(from.field, field), mix(from.log_precision.exp(), log_precision.exp()).log());
}

void GaussianLayerImpl::shift_field(const torch::Tensor& delta) {
  torch::NoGradGuard no_grad;
  field.add_(delta.to(field.dtype()));
}

}  // namespace ebm
