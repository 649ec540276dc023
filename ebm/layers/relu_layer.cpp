#include "ebm/layers/relu_layer.h"

#include <torch/torch.h>

#include <cmath>

namespace ebm {

namespace relu_unit {

namespace {
torch::Tensor scale(const torch::Tensor& gamma, const torch::Tensor& beta) { return (beta * gamma).rsqrt(); }
torch::Tensor mode_over_scale(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta) { return a * (beta / gamma).sqrt(); }
// log erfcx(t): erfcx overflows for t below about -26, where erfc(t) is in (1, 2] and t^2 + log erfc(t) is exact.
torch::Tensor log_erfcx(const torch::Tensor& t) {
  const auto negative = t.clamp_max(0), positive = t.clamp_min(0);  // each branch finite, so is where's gradient
  return torch::where(t < 0, negative.pow(2) + torch::log(torch::erfc(negative)), torch::log(torch::special::erfcx(positive)));
}
torch::Tensor tail_mean(const torch::Tensor& z) { return std::sqrt(2 / M_PI) * torch::exp(-log_erfcx(-z / std::sqrt(2.0))); }
}  // namespace

torch::Tensor cgf(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta) {
  const auto z = mode_over_scale(a, gamma, beta);
  return torch::log(scale(gamma, beta) * std::sqrt(M_PI / 2)) + log_erfcx(-z / std::sqrt(2.0));
}

torch::Tensor mean(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta) {
  const auto z = mode_over_scale(a, gamma, beta);
  return scale(gamma, beta) * (z + tail_mean(z));
}

torch::Tensor variance(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta) {
  const auto z = mode_over_scale(a, gamma, beta), lambda = tail_mean(z);
  return scale(gamma, beta).pow(2) * (1 - lambda * (lambda + z));
}

torch::Tensor sample(const torch::Tensor& a, const torch::Tensor& gamma, const torch::Tensor& beta) {
  torch::NoGradGuard no_grad;
  const auto z = mode_over_scale(a, gamma, beta).to(torch::kFloat64);
  // Z >= -z: Phi(-Z) = u Phi(z), Phi(z) = erfcx(-z / sqrt 2) exp(-z^2 / 2) / 2.
  const auto tail = torch::exp(log_erfcx(-z / std::sqrt(2.0)) - z.pow(2) / 2 - std::log(2.0));
  const auto u = torch::rand_like(z).clamp_min(1e-300);
  const auto inverted = -torch::special::ndtri(u * tail);
  const auto far = -z - torch::log(u) / (-z);  // -z + Exp(1) / (-z), for z < -37
  const auto standard = torch::where(z < -37, far, inverted);
  return (scale(gamma, beta).to(torch::kFloat64) * (z + standard)).to(a.dtype());
}

}  // namespace relu_unit

torch::Tensor ReLULayerImpl::cgf(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return relu_unit::cgf(inputs + field.to(inputs.dtype()), log_precision.to(inputs.dtype()).exp().expand_as(inputs), inverse_temperature(beta, inputs)).sum(1);
}

torch::Tensor ReLULayerImpl::mean(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return relu_unit::mean(inputs + field.to(inputs.dtype()), log_precision.to(inputs.dtype()).exp().expand_as(inputs), inverse_temperature(beta, inputs));
}

torch::Tensor ReLULayerImpl::variance(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return relu_unit::variance(inputs + field.to(inputs.dtype()), log_precision.to(inputs.dtype()).exp().expand_as(inputs), inverse_temperature(beta, inputs));
}

torch::Tensor ReLULayerImpl::sample(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return relu_unit::sample(inputs + field.to(inputs.dtype()), log_precision.to(inputs.dtype()).exp().expand_as(inputs), inverse_temperature(beta, inputs));
}

std::string ReLULayerImpl::invalid_state(const torch::Tensor& x) const {
  return first_bad_row(~(torch::isfinite(x) & (x >= 0)).all(1), "has a value that is negative or not finite (ReLU units are x >= 0)");
}

}  // namespace ebm
