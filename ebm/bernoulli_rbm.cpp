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
  if (options.centered()) {
    visible_offset = register_buffer("visible_offset", torch::full({options.visible()}, 0.5));
    hidden_offset = register_buffer("hidden_offset", torch::full({options.hidden()}, 0.5));
  }
}

namespace {
// Parameters cast to the input's dtype: a no-op for the training dtype, double for exact work.
torch::Tensor like(const torch::Tensor& p, const torch::Tensor& x) { return p.to(x.dtype()); }

// F(v) = -v b - sum_j softplus(c_j + (v W)_j) with its gradient written out:
//   dF/dW = -v^T s,  dF/dc = -s,  dF/db = -v,  dF/dv = -b - s W^T,  s = sigmoid(c + v W).
// s is computed once and serves the backward pass and the hidden-mean memo.
class FreeEnergy : public torch::autograd::Function<FreeEnergy> {
 public:
  // Returns {F(v), s}; s = p(h = 1 | v) is not differentiable.
  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* ctx,
                                              const torch::Tensor& v, const torch::Tensor& w,
                                              const torch::Tensor& b, const torch::Tensor& c) {
    auto pre = torch::addmm(c, v, w);
    auto s = torch::sigmoid(pre);
    ctx->save_for_backward({v, w, b, s});
    ctx->mark_non_differentiable({s});
    return {torch::softplus(pre).sum(1).add_(v.mv(b)).neg_(), s};
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &v = saved[0], &w = saved[1], &b = saved[2], &s = saved[3];
    auto minus_g = grads[0].neg();
    auto gs = s * minus_g.unsqueeze(1);  // dL/dpre
    torch::Tensor grad_v, grad_w, grad_b, grad_c;
    if (ctx->needs_input_grad(0)) grad_v = torch::addmm(minus_g.unsqueeze(1) * b, gs, w.t());
    if (ctx->needs_input_grad(1)) grad_w = v.t().mm(gs);
    if (ctx->needs_input_grad(2)) grad_b = v.t().mv(minus_g);
    if (ctx->needs_input_grad(3)) grad_c = gs.sum(0);
    return {grad_v, grad_w, grad_b, grad_c};
  }
};
}  // namespace

BernoulliRBMImpl::Biases BernoulliRBMImpl::plain_biases(torch::Dtype dtype) const {
  if (!options_.centered()) return {visible_bias.to(dtype), hidden_bias.to(dtype)};
  const auto w = weight.to(dtype);
  return {visible_bias.to(dtype) - w.mv(hidden_offset.to(dtype)), hidden_bias.to(dtype) - w.t().mv(visible_offset.to(dtype))};
}

torch::Tensor BernoulliRBMImpl::energy(const torch::Tensor& v) {
  const auto biases = plain_biases(v.scalar_type());
  auto outputs = FreeEnergy::apply(v, like(weight, v), biases.visible, biases.hidden);
  memo_ = {v, outputs[1], v._version(), weight._version(), hidden_bias._version(), weight.data_ptr()};
  return outputs[0];
}

bool BernoulliRBMImpl::memo_matches(const torch::Tensor& v) const {
  return memo_.input.defined() && memo_.input.is_same(v) && memo_.input_version == v._version() &&
         memo_.weight_version == weight._version() && memo_.bias_version == hidden_bias._version() &&
         memo_.weight_data == weight.data_ptr();
}

torch::Tensor BernoulliRBMImpl::joint_energy(const torch::Tensor& v, const torch::Tensor& h) {
  const auto biases = plain_biases(v.scalar_type());
  auto vw = v.mm(like(weight, v));
  return -(vw * h).sum(1) - v.mv(biases.visible) - h.mv(biases.hidden);
}

torch::Tensor BernoulliRBMImpl::hidden_mean(const torch::Tensor& v) {
  // The memo holds no graph, so it serves only callers that need none (samplers).
  if (!torch::GradMode::is_enabled() && memo_matches(v)) return memo_.mean;
  return torch::sigmoid(torch::addmm(plain_biases(v.scalar_type()).hidden, v, like(weight, v)));
}

torch::Tensor BernoulliRBMImpl::sample_hidden(const torch::Tensor& v) {
  return sample_bernoulli(hidden_mean(v));
}

torch::Tensor BernoulliRBMImpl::visible_mean(const torch::Tensor& h) {
  return torch::sigmoid(torch::addmm(plain_biases(h.scalar_type()).visible, h, like(weight, h).t()));
}

torch::Tensor BernoulliRBMImpl::sample_visible(const torch::Tensor& h) {
  return sample_bernoulli(visible_mean(h));
}

torch::Tensor BernoulliRBMImpl::sample_hidden_tempered(const torch::Tensor& v, const torch::Tensor& beta) {
  auto pre = torch::addmm(plain_biases(v.scalar_type()).hidden, v, like(weight, v));
  return sample_bernoulli(torch::sigmoid(pre.mul_(beta.to(v.dtype()).unsqueeze(1))));
}

torch::Tensor BernoulliRBMImpl::sample_visible_tempered(const torch::Tensor& h, const torch::Tensor& beta) {
  auto pre = torch::addmm(plain_biases(h.scalar_type()).visible, h, like(weight, h).t());
  return sample_bernoulli(torch::sigmoid(pre.mul_(beta.to(h.dtype()).unsqueeze(1))));
}

torch::Tensor BernoulliRBMImpl::hidden_free_energy(const torch::Tensor& h) {
  const auto biases = plain_biases(h.scalar_type());
  auto pre = torch::addmm(biases.visible, h, like(weight, h).t());
  return -h.mv(biases.hidden) - torch::softplus(pre).sum(1);
}

void BernoulliRBMImpl::init_visible_bias_from(const torch::Tensor& data) {
  torch::NoGradGuard no_grad;
  auto p = data.to(visible_bias.dtype()).mean(0).clamp(1e-3, 1.0 - 1e-3);
  visible_bias.copy_(torch::log(p / (1 - p)));
}

void BernoulliRBMImpl::set_visible_offset(const torch::Tensor& data) {
  TORCH_CHECK(options_.centered(), "set_visible_offset: the RBM is not centred");
  torch::NoGradGuard no_grad;
  visible_offset.copy_(data.to(visible_offset.dtype()).mean(0));
}

void BernoulliRBMImpl::after_update(const torch::Tensor& data_batch) {
  if (!options_.centered()) return;
  torch::NoGradGuard no_grad;
  const auto batch_mean = hidden_mean(data_batch.to(weight.dtype())).mean(0);
  const auto moved = hidden_offset + options_.offset_rate() * (batch_mean - hidden_offset);
  visible_bias.add_(weight.mv(moved - hidden_offset));  // b - W λ stays what it was
  hidden_offset.copy_(moved);
}

}  // namespace ebm
