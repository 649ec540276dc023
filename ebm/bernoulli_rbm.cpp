#include "ebm/bernoulli_rbm.h"

#include <torch/torch.h>

#include <cmath>

#include <optional>

#include "ebm/bernoulli.h"
#include "ebm/gemm.h"
#include "ebm/softplus_sum.h"

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
// F(v) = -v b - sum_j softplus(pre_j) from the pre-activation pre = c + v W and s = sigmoid(pre), per row.
torch::Tensor free_energy_value(const torch::Tensor& pre, const torch::Tensor& s, const torch::Tensor& v,
                                const torch::Tensor& b) {
  return softplus_row_sums(pre, s).add_(v.mv(b)).neg_();
}

// F(v) = -v b - sum_j softplus(c_j + (v W)_j) with its gradient written out:
//   dF/dW = -v^T s,  dF/dc = -s,  dF/db = -v,  dF/dv = -b - s W^T,  s = sigmoid(c + v W).
// s is computed once and serves the backward pass and the hidden memo.
class FreeEnergy : public torch::autograd::Function<FreeEnergy> {
 public:
  // Returns {F(v), s, c + v W}; s = p(h = 1 | v) and the pre-activation are not differentiable.
  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* ctx,
                                              const torch::Tensor& v, const torch::Tensor& w,
                                              const torch::Tensor& b, const torch::Tensor& c) {
    auto pre = ebm::addmm(c, v, w);
    auto s = torch::sigmoid(pre);
    ctx->save_for_backward({v, w, b, s});
    ctx->mark_non_differentiable({s, pre});
    return {free_energy_value(pre, s, v, b), s, pre};
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &v = saved[0], &w = saved[1], &b = saved[2], &s = saved[3];
    auto minus_g = grads[0].neg();
    auto gs = s * minus_g.unsqueeze(1);  // dL/dpre
    torch::Tensor grad_v, grad_w, grad_b, grad_c;
    if (ctx->needs_input_grad(0)) grad_v = torch::addmm(minus_g.unsqueeze(1) * b, gs, w.t());
    if (ctx->needs_input_grad(1)) grad_w = ebm::mm(v.t(), gs);
    if (ctx->needs_input_grad(2)) grad_b = v.t().mv(minus_g);
    if (ctx->needs_input_grad(3)) grad_c = gs.sum(0);
    return {grad_v, grad_w, grad_b, grad_c};
  }
};

// The weight every row of g shares, where g is on the host; none where rows differ, or where
// reading g would cost a device synchronisation.
std::optional<double> shared_row_weight(const torch::Tensor& g) {
  if (!g.device().is_cpu() || g.dim() != 1 || g.numel() == 0) return std::nullopt;
  std::optional<double> shared;
  AT_DISPATCH_FLOATING_TYPES(g.scalar_type(), "shared_row_weight", [&] {
    const auto rows = g.accessor<scalar_t, 1>();
    for (int64_t r = 1; r < rows.size(0); ++r) {
      if (rows[r] != rows[0]) return;
    }
    shared = static_cast<double>(rows[0]);
  });
  return shared;
}

// F(v+) and F(v-) of two batches in one node, from their pre-activations c + v W and hidden
// means s (computed outside, so the memo can serve one of them). v+ and v- are constants (the
// caller checks that neither needs a gradient). The weight gradient -v+^T (s+ g+) - v-^T (s- g-) accumulates in one
// buffer (a GEMM with beta = 1).
class FreeEnergyPair : public torch::autograd::Function<FreeEnergyPair> {
 public:
  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& v0,
                                              const torch::Tensor& v1, const torch::Tensor& pre0,
                                              const torch::Tensor& pre1, const torch::Tensor& s0,
                                              const torch::Tensor& s1, const torch::Tensor& w,
                                              const torch::Tensor& b, const torch::Tensor& c) {
    ctx->save_for_backward({v0, v1, s0, s1});
    return {free_energy_value(pre0, s0, v0, b), free_energy_value(pre1, s1, v1, b)};
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    torch::Tensor grad_w, grad_b, grad_c;
    for (int i = 0; i < 2; ++i) {
      if (!grads[i].defined()) continue;
      const auto &v = saved[i], &s = saved[2 + i];
      const auto minus_g = grads[i].neg();
      // dL/dpre = s (-g) per row: where every row has one weight (a mean's gradient), that
      // number scales the products instead of a pass over s.
      const auto shared = shared_row_weight(grads[i]);
      const auto gs = shared ? s : s * minus_g.unsqueeze(1);
      const double alpha = shared ? -*shared : 1.0;
      if (ctx->needs_input_grad(6)) grad_w = grad_w.defined() ? ebm::addmm_(grad_w, v.t(), gs, alpha) : ebm::mm(v.t(), gs, alpha);
      if (ctx->needs_input_grad(7)) grad_b = grad_b.defined() ? grad_b.addmv_(v.t(), minus_g) : v.t().mv(minus_g);
      if (ctx->needs_input_grad(8)) grad_c = grad_c.defined() ? grad_c.add_(gs.sum(0), alpha) : gs.sum(0).mul_(alpha);
    }
    const torch::Tensor none;
    return {none, none, none, none, none, none, grad_w, grad_b, grad_c};
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
  auto outputs = FreeEnergy::apply(v, in_dtype_of(weight, v), biases.visible, biases.hidden);
  remember(v, outputs[2], outputs[1]);
  return outputs[0];
}

std::vector<torch::Tensor> BernoulliRBMImpl::energies(const std::vector<torch::Tensor>& batches) {
  const bool pair = batches.size() == 2 && torch::GradMode::is_enabled() && !batches[0].requires_grad() &&
                    !batches[1].requires_grad() && batches[0].scalar_type() == batches[1].scalar_type();
  if (!pair) return EnergyModelImpl::energies(batches);
  const auto &v0 = batches[0], &v1 = batches[1];
  const auto biases = plain_biases(v0.scalar_type());
  torch::Tensor pre[2], mean[2];
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 2; ++i) {
      if (memo_matches(batches[i])) {
        pre[i] = memo_.pre, mean[i] = memo_.mean;
      } else {
        pre[i] = ebm::addmm(biases.hidden, batches[i], in_dtype_of(weight, v0));
        mean[i] = torch::sigmoid(pre[i]);
      }
    }
  }
  return FreeEnergyPair::apply(v0, v1, pre[0], pre[1], mean[0], mean[1], in_dtype_of(weight, v0), biases.visible, biases.hidden);
}

bool BernoulliRBMImpl::memo_matches(const torch::Tensor& v) const {
  return memo_.input.defined() && memo_.input.is_same(v) && memo_.input_version == v._version() &&
         memo_.weight_version == weight._version() && memo_.bias_version == hidden_bias._version() &&
         memo_.weight_data == weight.data_ptr();
}

void BernoulliRBMImpl::remember(const torch::Tensor& v, const torch::Tensor& pre, const torch::Tensor& mean) {
  memo_ = {v, pre.detach(), mean.detach(), v._version(), weight._version(), hidden_bias._version(), weight.data_ptr()};
}

torch::Tensor BernoulliRBMImpl::joint_energy(const torch::Tensor& v, const torch::Tensor& h) {
  const auto biases = plain_biases(v.scalar_type());
  auto vw = ebm::mm(v, in_dtype_of(weight, v));
  return -(vw * h).sum(1) - v.mv(biases.visible) - h.mv(biases.hidden);
}

torch::Tensor BernoulliRBMImpl::hidden_mean(const torch::Tensor& v) {
  // The memo holds no graph, so it serves only callers that need none (samplers).
  if (torch::GradMode::is_enabled()) return torch::sigmoid(ebm::addmm(plain_biases(v.scalar_type()).hidden, v, in_dtype_of(weight, v)));
  if (memo_matches(v)) return memo_.mean;
  auto pre = ebm::addmm(plain_biases(v.scalar_type()).hidden, v, in_dtype_of(weight, v));
  auto mean = torch::sigmoid(pre);
  remember(v, pre, mean);
  return mean;
}

torch::Tensor BernoulliRBMImpl::sample_hidden(const torch::Tensor& v) {
  return sample_bernoulli(hidden_mean(v));
}

torch::Tensor BernoulliRBMImpl::visible_mean(const torch::Tensor& h) {
  return torch::sigmoid(ebm::addmm(plain_biases(h.scalar_type()).visible, h, in_dtype_of(weight, h).t()));
}

torch::Tensor BernoulliRBMImpl::sample_visible(const torch::Tensor& h) {
  return sample_bernoulli(visible_mean(h));
}

torch::Tensor BernoulliRBMImpl::sample_hidden_tempered(const torch::Tensor& v, const torch::Tensor& beta) {
  auto pre = ebm::addmm(plain_biases(v.scalar_type()).hidden, v, in_dtype_of(weight, v));
  return sample_bernoulli(torch::sigmoid(pre.mul_(beta.to(v.dtype()).unsqueeze(1))));
}

torch::Tensor BernoulliRBMImpl::sample_visible_tempered(const torch::Tensor& h, const torch::Tensor& beta) {
  auto pre = ebm::addmm(plain_biases(h.scalar_type()).visible, h, in_dtype_of(weight, h).t());
  return sample_bernoulli(torch::sigmoid(pre.mul_(beta.to(h.dtype()).unsqueeze(1))));
}

torch::Tensor BernoulliRBMImpl::hidden_free_energy(const torch::Tensor& h) {
  const auto biases = plain_biases(h.scalar_type());
  auto pre = ebm::addmm(biases.visible, h, in_dtype_of(weight, h).t());
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
  memo_ = {};  // the hidden pre-activation depends on the offset
}

void BernoulliRBMImpl::after_update(const torch::Tensor& data_batch) {
  // Optimisers may update through .data(), which the version counters do not see.
  memo_ = {};
  if (!options_.centered()) return;
  torch::NoGradGuard no_grad;
  const auto batch_mean = hidden_mean(data_batch.to(weight.dtype())).mean(0);
  const auto moved = hidden_offset + options_.offset_rate() * (batch_mean - hidden_offset);
  visible_bias.add_(weight.mv(moved - hidden_offset));  // b - W λ stays what it was
  hidden_offset.copy_(moved);
}


namespace {

// From a base-rate Bernoulli RBM A (weights 0, visible biases b_A the log-odds of the data's
// marginals, uniform without data) to the model B, as the plain RBM it equals:
//   log p*_β(v) = (1-β) b_A·v + β b·v + Σ_j softplus(β (c_j + (v W)_j)),   Z_0 = 2^H Π_i (1 + e^{b_A,i}).
class BernoulliPath : public AnnealingPath {
 public:
  BernoulliPath(const BernoulliRBMImpl& rbm, const torch::Tensor& data) {
    torch::NoGradGuard no_grad;
    auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(rbm.weight.device());
    const auto plain = rbm.plain_biases(torch::kFloat64);  // a centred RBM as the plain RBM it equals
    w_ = rbm.weight.detach().to(opts), b_ = plain.visible.detach().to(opts), c_ = plain.hidden.detach().to(opts);
    base_bias_ = torch::zeros_like(b_);
    if (data.defined() && data.numel() > 0) {
      auto p = data.to(opts).mean(0).clamp(1e-3, 1 - 1e-3);
      base_bias_ = torch::log(p / (1 - p));
    }
    base_log_z_ = static_cast<double>(rbm.num_hidden()) * std::log(2.0) + torch::softplus(base_bias_).sum().item<double>();
  }
  double base_log_z() const override { return base_log_z_; }
  torch::TensorOptions options() const override { return b_.options(); }
  torch::Tensor base_sample(int64_t chains) const override {
    return sample_bernoulli(torch::sigmoid(base_bias_).expand({chains, b_.size(0)}).contiguous());
  }
  torch::Tensor shared(const torch::Tensor& v) const override { return torch::addmm(c_, v, w_); }
  torch::Tensor log_unnormalised(const torch::Tensor& v, const torch::Tensor& pre, double beta) const override {
    return v.mv(base_bias_ * (1 - beta) + b_ * beta) + torch::softplus(pre * beta).sum(1);
  }
  torch::Tensor sweep(const torch::Tensor& pre, double beta) const override {
    auto h = sample_bernoulli(torch::sigmoid(pre * beta));
    return sample_bernoulli(torch::sigmoid(torch::addmm(base_bias_ * (1 - beta) + b_ * beta, h, w_.t(), /*beta=*/1, /*alpha=*/beta)));
  }

 private:
  torch::Tensor w_, b_, c_, base_bias_;
  double base_log_z_ = 0;
};

}  // namespace

std::unique_ptr<AnnealingPath> BernoulliRBMImpl::annealing_path(const torch::Tensor& base_data) {
  return std::make_unique<BernoulliPath>(*this, base_data);
}

}  // namespace ebm
