#include "ebm/gaussian_bernoulli_rbm.h"

#include <torch/torch.h>

#include <cmath>

#include "ebm/bernoulli.h"
#include "ebm/gemm.h"

namespace ebm {

GaussianBernoulliRBMImpl::GaussianBernoulliRBMImpl(const GaussianBernoulliRBMOptions& options) : options_(options) {
  TORCH_CHECK(options.visible() > 0 && options.hidden() > 0, "RBM layer sizes must be positive");
  weight = register_parameter("weight", torch::randn({options.visible(), options.hidden()}) * options.init_std());
  visible_bias = register_parameter("visible_bias", torch::zeros({options.visible()}));
  hidden_bias = register_parameter("hidden_bias", torch::zeros({options.hidden()}));
  log_variance = register_parameter("log_variance", torch::zeros({options.visible()}), options.learn_variance());
}

torch::Tensor GaussianBernoulliRBMImpl::variance(torch::Dtype dtype) const { return log_variance.to(dtype).exp(); }

torch::Tensor GaussianBernoulliRBMImpl::energy(const torch::Tensor& v) {
  const auto var = variance(v.scalar_type());
  const auto pre = ebm::addmm(in_dtype_of(hidden_bias, v), v / var, in_dtype_of(weight, v));
  return ((v - in_dtype_of(visible_bias, v)).pow(2) / (2 * var)).sum(1) - torch::softplus(pre).sum(1);
}

torch::Tensor GaussianBernoulliRBMImpl::joint_energy(const torch::Tensor& v, const torch::Tensor& h) {
  const auto var = variance(v.scalar_type());
  return ((v - in_dtype_of(visible_bias, v)).pow(2) / (2 * var)).sum(1) - (ebm::mm(v / var, in_dtype_of(weight, v)) * h).sum(1) -
         h.mv(in_dtype_of(hidden_bias, h));
}

torch::Tensor GaussianBernoulliRBMImpl::hidden_mean(const torch::Tensor& v) {
  return torch::sigmoid(ebm::addmm(in_dtype_of(hidden_bias, v), v / variance(v.scalar_type()), in_dtype_of(weight, v)));
}

torch::Tensor GaussianBernoulliRBMImpl::sample_hidden(const torch::Tensor& v) { return sample_bernoulli(hidden_mean(v)); }

torch::Tensor GaussianBernoulliRBMImpl::visible_mean(const torch::Tensor& h) {
  return ebm::addmm(in_dtype_of(visible_bias, h), h, in_dtype_of(weight, h).t());
}

torch::Tensor GaussianBernoulliRBMImpl::sample_visible(const torch::Tensor& h) {
  const auto mean = visible_mean(h);
  return mean + torch::randn_like(mean) * variance(h.scalar_type()).sqrt();
}

torch::Tensor GaussianBernoulliRBMImpl::hidden_free_energy(const torch::Tensor& h) {
  const auto var = variance(h.scalar_type());
  const auto b = in_dtype_of(visible_bias, h);
  const auto m = visible_mean(h);
  const double half_log_2pi = 0.5 * std::log(2 * M_PI);
  return -h.mv(in_dtype_of(hidden_bias, h)) - ((m.pow(2) - b.pow(2)) / (2 * var)).sum(1) -
         (half_log_2pi + 0.5 * var.log()).sum();
}

torch::Tensor GaussianBernoulliRBMImpl::sample_hidden_tempered(const torch::Tensor& v, const torch::Tensor& beta) {
  auto pre = ebm::addmm(in_dtype_of(hidden_bias, v), v / variance(v.scalar_type()), in_dtype_of(weight, v));
  return sample_bernoulli(torch::sigmoid(pre.mul_(beta.to(v.dtype()).unsqueeze(1))));
}

torch::Tensor GaussianBernoulliRBMImpl::sample_visible_tempered(const torch::Tensor& h, const torch::Tensor& beta) {
  const auto mean = visible_mean(h);
  const auto std = (variance(h.scalar_type()).unsqueeze(0) / beta.to(h.dtype()).unsqueeze(1)).sqrt();
  return mean + torch::randn_like(mean) * std;
}

void GaussianBernoulliRBMImpl::init_from(const torch::Tensor& data) {
  torch::NoGradGuard no_grad;
  const auto x = data.to(visible_bias.dtype());
  visible_bias.copy_(x.mean(0));
  log_variance.copy_(x.var(0).clamp_min(1e-4).log());
}


namespace {

// From independent Gaussians A (the data's means and variances, or N(0, 1) without data) to the
// model B (variances σ²):
//   log p*_β(v) = -(1-β) Σ (v - m_A)² / (2 σ_A²) - β Σ (v - b)² / (2 σ²) + Σ_j softplus(β (c_j + (v/σ² W)_j)),
// log Z_0 = H log 2 + Σ log(√(2π) σ_A). Given h, v is Gaussian with precision (1-β)/σ_A² + β/σ²
// and mean ((1-β) m_A / σ_A² + β (b + W h) / σ²) / precision.
class GaussianPath : public AnnealingPath {
 public:
  GaussianPath(const GaussianBernoulliRBMImpl& rbm, const torch::Tensor& data) {
    torch::NoGradGuard no_grad;
    auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(rbm.weight.device());
    w_ = rbm.weight.detach().to(opts), b_ = rbm.visible_bias.detach().to(opts), c_ = rbm.hidden_bias.detach().to(opts);
    var_ = rbm.variance(torch::kFloat64).to(opts).detach();
    const bool have_data = data.defined() && data.size(0) > 1;
    base_mean_ = have_data ? data.to(opts).mean(0) : torch::zeros_like(b_);
    base_var_ = have_data ? data.to(opts).var(0).clamp_min(1e-4) : torch::ones_like(b_);
    base_log_z_ = static_cast<double>(rbm.num_hidden()) * std::log(2.0) +
                  (0.5 * std::log(2 * M_PI) + 0.5 * base_var_.log()).sum().item<double>();
  }
  double base_log_z() const override { return base_log_z_; }
  torch::TensorOptions options() const override { return b_.options(); }
  torch::Tensor base_sample(int64_t chains) const override {
    return base_mean_ + torch::randn({chains, b_.size(0)}, b_.options()) * base_var_.sqrt();
  }
  torch::Tensor shared(const torch::Tensor& v) const override { return torch::addmm(c_, v / var_, w_); }
  torch::Tensor log_unnormalised(const torch::Tensor& v, const torch::Tensor& pre, double beta) const override {
    return -(1 - beta) * ((v - base_mean_).pow(2) / (2 * base_var_)).sum(1) - beta * ((v - b_).pow(2) / (2 * var_)).sum(1) +
           torch::softplus(pre * beta).sum(1);
  }
  torch::Tensor sweep(const torch::Tensor& pre, double beta) const override {
    auto h = sample_bernoulli(torch::sigmoid(pre * beta));
    const auto precision = (1 - beta) / base_var_ + beta / var_;
    const auto mean = ((1 - beta) * base_mean_ / base_var_ + beta * torch::addmm(b_, h, w_.t()) / var_) / precision;
    return mean + torch::randn_like(mean) / precision.sqrt();
  }

 private:
  torch::Tensor w_, b_, c_, var_, base_mean_, base_var_;
  double base_log_z_ = 0;
};

}  // namespace

std::unique_ptr<AnnealingPath> GaussianBernoulliRBMImpl::annealing_path(const torch::Tensor& base_data) {
  return std::make_unique<GaussianPath>(*this, base_data);
}

}  // namespace ebm
