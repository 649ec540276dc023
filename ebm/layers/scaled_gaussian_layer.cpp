#include "ebm/layers/scaled_gaussian_layer.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ebm {

ScaledGaussianLayerImpl::ScaledGaussianLayerImpl(int64_t units, bool learn_variance)
    : bias(register_parameter("bias", torch::zeros({units}))),
      log_variance(register_parameter("log_variance", torch::zeros({units}), learn_variance)) {}

torch::Tensor ScaledGaussianLayerImpl::energy_with(const torch::Tensor& x, const torch::Tensor& variance) const {
  return ((x - bias.to(x.dtype())).pow(2) / (2 * variance)).sum(1);
}

torch::Tensor ScaledGaussianLayerImpl::energy(const torch::Tensor& x) const { return energy_with(x, unit_variance(x.scalar_type())); }

torch::Tensor ScaledGaussianLayerImpl::statistic(const torch::Tensor& x) const { return x / unit_variance(x.scalar_type()); }

LayerImpl::EnergyAndStatistic ScaledGaussianLayerImpl::energy_and_statistic(const torch::Tensor& x) const {
  const auto variance = unit_variance(x.scalar_type());
  return {energy_with(x, variance), x / variance};
}

torch::Tensor ScaledGaussianLayerImpl::cgf(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  const auto var = unit_variance(inputs.scalar_type()), b = bias.to(inputs.dtype()), t = inverse_temperature(beta, inputs);
  return (t * ((inputs + b).pow(2) - b.pow(2)) / (2 * var) + torch::log(2 * M_PI * var / t) / 2).sum(1);
}

torch::Tensor ScaledGaussianLayerImpl::mean(const torch::Tensor& inputs, const torch::Tensor&) const {
  return inputs + bias.to(inputs.dtype());
}

torch::Tensor ScaledGaussianLayerImpl::tempered_variance(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  const auto var = unit_variance(inputs.scalar_type());
  return beta.defined() ? var / inverse_temperature(beta, inputs) : var;
}

torch::Tensor ScaledGaussianLayerImpl::variance(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return tempered_variance(inputs, beta).expand_as(inputs);
}

torch::Tensor ScaledGaussianLayerImpl::sample(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  torch::NoGradGuard no_grad;
  const auto m = mean(inputs, beta);
  return m + torch::randn_like(m) * tempered_variance(inputs, beta).sqrt();
}

std::string ScaledGaussianLayerImpl::invalid_state(const torch::Tensor& x) const {
  return first_non_finite_row(x);
}

LayerPtr ScaledGaussianLayerImpl::blank() const {
  return std::make_shared<ScaledGaussianLayerImpl>(units(), log_variance.requires_grad());
}

LayerPtr ScaledGaussianLayerImpl::independent_fit(const torch::Tensor& data) const {
  if (!has_rows(data) || data.size(0) < 2) return blank();
  auto fit = std::make_shared<ScaledGaussianLayerImpl>(units(), log_variance.requires_grad());
  fit->to(data.scalar_type());
  torch::NoGradGuard no_grad;
  fit->bias.copy_(data.mean(0));
  fit->log_variance.copy_(data.var(0).clamp_min(1e-4).log());
  return fit;
}

void ScaledGaussianLayerImpl::shift_field(const torch::Tensor& delta) {
  torch::NoGradGuard no_grad;
  bias.add_(delta.to(bias.dtype()));
}

namespace {

// (1 - t) E_A(x) + t E_B(x) of two scaled Gaussian layers, coupled as B is (through
// x / sigma_B^2), in double: per unit the precision P = (1 - t) / sigma_A^2 + t / sigma_B^2 and,
// given the input I, the linear term L = (1 - t) b_A / sigma_A^2 + t b_B / sigma_B^2 + I / sigma_B^2, so
//   x ~ N(L / P, 1 / (beta P)),   Gamma(I) = beta (L^2 / (2 P) - K) + log(2 pi / (beta P)) / 2,
// K = (1 - t) b_A^2 / (2 sigma_A^2) + t b_B^2 / (2 sigma_B^2).
class InterpolatedScaledGaussian : public LayerImpl {
 public:
  InterpolatedScaledGaussian(const ScaledGaussianLayerImpl& a, const ScaledGaussianLayerImpl& b, double t) : t_(t) {
    torch::NoGradGuard no_grad;
    const auto f64 = [](const torch::Tensor& x) { return x.detach().to(torch::kFloat64); };
    mean_a_ = register_buffer("mean_a", f64(a.bias)), mean_b_ = register_buffer("mean_b", f64(b.bias));
    var_a_ = register_buffer("var_a", a.unit_variance(torch::kFloat64).detach());
    var_b_ = register_buffer("var_b", b.unit_variance(torch::kFloat64).detach());
  }
  int64_t units() const override { return mean_b_.size(0); }
  torch::Tensor energy(const torch::Tensor& x) const override {
    return ((1 - t_) * (x - mean_a_).pow(2) / (2 * var_a_) + t_ * (x - mean_b_).pow(2) / (2 * var_b_)).sum(1);
  }
  torch::Tensor statistic(const torch::Tensor& x) const override { return x / var_b_; }
  torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override {
    const auto p = precision(), l = linear(inputs), t = inverse_temperature(beta, inputs);
    const auto k = (1 - t_) * mean_a_.pow(2) / (2 * var_a_) + t_ * mean_b_.pow(2) / (2 * var_b_);
    return (t * (l.pow(2) / (2 * p) - k) + torch::log(2 * M_PI / (t * p)) / 2).sum(1);
  }
  torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& = {}) const override { return linear(inputs) / precision(); }
  torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override {
    return (1 / (inverse_temperature(beta, inputs) * precision())).expand_as(inputs);
  }
  torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override {
    const auto m = mean(inputs, beta);
    return m + torch::randn_like(m) * variance(inputs, beta).sqrt();
  }
  std::string type_name() const override { return "scaled_gaussian"; }
  Domain domain() const override { return Domain::Continuous; }
  std::string invalid_state(const torch::Tensor& x) const override {
    return first_non_finite_row(x);
  }
  LayerPtr blank() const override { throw path_only(); }
  LayerPtr independent_fit(const torch::Tensor&) const override { throw path_only(); }
  LayerPtr interpolated(const LayerImpl&, double) const override { throw path_only(); }
  void shift_field(const torch::Tensor&) override { throw path_only(); }

 private:
  static std::logic_error path_only() { return std::logic_error("an interpolated scaled Gaussian layer is a step of AIS's path only"); }
  torch::Tensor precision() const { return (1 - t_) / var_a_ + t_ / var_b_; }
  torch::Tensor linear(const torch::Tensor& inputs) const {
    return (1 - t_) * mean_a_ / var_a_ + t_ * mean_b_ / var_b_ + inputs / var_b_;
  }

  double t_;
  torch::Tensor mean_a_, mean_b_, var_a_, var_b_;
};

}  // namespace

LayerPtr ScaledGaussianLayerImpl::interpolated(const LayerImpl& base, double beta) const {
  return std::make_shared<InterpolatedScaledGaussian>(dynamic_cast<const ScaledGaussianLayerImpl&>(base), *this, beta);
}

}  // namespace ebm
