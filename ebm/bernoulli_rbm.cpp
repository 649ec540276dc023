#include "ebm/bernoulli_rbm.h"

#include <torch/torch.h>

#include "ebm/bernoulli.h"

namespace ebm {

BernoulliRBMImpl::BernoulliRBMImpl(const BernoulliRBMOptions& options) : options_(options) {
  TORCH_CHECK(options.visible() > 0 && options.hidden() > 0, "RBM layer sizes must be positive");
  weight = register_parameter(
      "weight", torch::randn({options.visible(), options.hidden()}) * options.init_std());
  visible_bias = register_parameter("visible_bias", torch::zeros({options.visible()}));
  hidden_bias = register_parameter("hidden_bias", torch::zeros({options.hidden()}));
}

namespace {
// Parameters cast to the input's dtype: a no-op for the training dtype, double for exact work.
torch::Tensor like(const torch::Tensor& p, const torch::Tensor& x) { return p.to(x.dtype()); }
}  // namespace

torch::Tensor BernoulliRBMImpl::energy(const torch::Tensor& v) {
  auto pre = torch::addmm(like(hidden_bias, v), v, like(weight, v));
  memo_ = {v, torch::sigmoid(pre.detach()), v._version(), weight._version(), hidden_bias._version(),
           weight.data_ptr()};
  return -v.mv(like(visible_bias, v)) - torch::softplus(pre).sum(1);
}

bool BernoulliRBMImpl::memo_matches(const torch::Tensor& v) const {
  return memo_.input.defined() && memo_.input.is_same(v) && memo_.input_version == v._version() &&
         memo_.weight_version == weight._version() && memo_.bias_version == hidden_bias._version() &&
         memo_.weight_data == weight.data_ptr();
}

torch::Tensor BernoulliRBMImpl::joint_energy(const torch::Tensor& v, const torch::Tensor& h) {
  auto vw = v.mm(like(weight, v));
  return -(vw * h).sum(1) - v.mv(like(visible_bias, v)) - h.mv(like(hidden_bias, h));
}

torch::Tensor BernoulliRBMImpl::hidden_mean(const torch::Tensor& v) {
  // The memo holds no graph, so it serves only callers that need none (samplers).
  if (!torch::GradMode::is_enabled() && memo_matches(v)) return memo_.mean;
  return torch::sigmoid(torch::addmm(like(hidden_bias, v), v, like(weight, v)));
}

torch::Tensor BernoulliRBMImpl::sample_hidden(const torch::Tensor& v) {
  return sample_bernoulli(hidden_mean(v));
}

torch::Tensor BernoulliRBMImpl::visible_mean(const torch::Tensor& h) {
  return torch::sigmoid(torch::addmm(like(visible_bias, h), h, like(weight, h).t()));
}

torch::Tensor BernoulliRBMImpl::sample_visible(const torch::Tensor& h) {
  return sample_bernoulli(visible_mean(h));
}

torch::Tensor BernoulliRBMImpl::hidden_free_energy(const torch::Tensor& h) {
  auto pre = torch::addmm(like(visible_bias, h), h, like(weight, h).t());
  return -h.mv(like(hidden_bias, h)) - torch::softplus(pre).sum(1);
}

void BernoulliRBMImpl::init_visible_bias_from(const torch::Tensor& data) {
  torch::NoGradGuard no_grad;
  auto p = data.to(visible_bias.dtype()).mean(0).clamp(1e-3, 1.0 - 1e-3);
  visible_bias.copy_(torch::log(p / (1 - p)));
}

}  // namespace ebm
