#include "ebm/layered_rbm.h"

#include <torch/torch.h>

#include <optional>
#include <stdexcept>

#include "ebm/gemm.h"
#include "ebm/layers/binary_layer.h"
#include "ebm/layers/scaled_gaussian_layer.h"

namespace ebm {

LayeredRBMOptions LayeredRBMOptions::bernoulli(int64_t visible, int64_t hidden) {
  if (visible <= 0 || hidden <= 0) throw std::invalid_argument("RBM layer sizes must be positive");
  return LayeredRBMOptions(std::make_shared<BinaryLayerImpl>(visible), std::make_shared<BinaryLayerImpl>(hidden))
      .name("bernoulli_rbm")
      .former_names({{"visible_bias", "visible.field"}, {"hidden_bias", "hidden.field"}});
}

LayeredRBMOptions LayeredRBMOptions::gaussian_bernoulli(int64_t visible, int64_t hidden, bool learn_variance) {
  if (visible <= 0 || hidden <= 0) throw std::invalid_argument("RBM layer sizes must be positive");
  return LayeredRBMOptions(std::make_shared<ScaledGaussianLayerImpl>(visible, learn_variance), std::make_shared<BinaryLayerImpl>(hidden))
      .name("gaussian_bernoulli_rbm")
      .former_names({{"visible_bias", "visible.bias"}, {"log_variance", "visible.log_variance"}, {"hidden_bias", "hidden.field"}});
}

LayeredRBMImpl::LayeredRBMImpl(const LayeredRBMOptions& options)
    : visible(options.visible()), hidden(options.hidden()), options_(options) {
  if (!visible || !hidden) throw std::invalid_argument("an RBM needs a visible and a hidden layer");
  register_module("visible", visible);
  register_module("hidden", hidden);
  visible_linear_ = dynamic_cast<LinearLayerImpl*>(visible.get());
  hidden_linear_ = dynamic_cast<LinearLayerImpl*>(hidden.get());
  weight = register_parameter("weight", torch::randn({visible->width(), hidden->width()}) * options.init_std());
  if (options.centered()) {
    torch::NoGradGuard no_grad;
    const auto mean_statistic = [](const LayerImpl& layer) { return layer.statistic(layer.mean(torch::zeros({1, layer.width()})))[0].clone(); };
    visible_offset = register_buffer("visible_offset", mean_statistic(*visible));
    hidden_offset = register_buffer("hidden_offset", mean_statistic(*hidden));
  }
}

torch::Tensor& LayeredRBMImpl::visible_field() const {
  if (!visible_linear_) throw std::logic_error("the visible layer (" + visible->type_name() + ") has no linear field");
  return visible_linear_->field;
}

torch::Tensor& LayeredRBMImpl::hidden_field() const {
  if (!hidden_linear_) throw std::logic_error("the hidden layer (" + hidden->type_name() + ") has no linear field");
  return hidden_linear_->field;
}

torch::Tensor LayeredRBMImpl::plain_visible_field(torch::Dtype dtype) const {
  const auto theta = visible_field().to(dtype).flatten();
  return options_.centered() ? theta - weight.to(dtype).mv(hidden_offset.to(dtype)) : theta;
}

torch::Tensor LayeredRBMImpl::plain_hidden_field(torch::Dtype dtype) const {
  const auto theta = hidden_field().to(dtype).flatten();
  return options_.centered() ? theta - weight.to(dtype).t().mv(visible_offset.to(dtype)) : theta;
}

LayeredRBMImpl::PlainFields LayeredRBMImpl::plain_fields(torch::Dtype dtype) const {
  auto b = visible_linear_ ? plain_visible_field(dtype) : torch::Tensor();
  return {b, hidden_linear_ ? plain_hidden_field(dtype) : torch::Tensor()};
}

torch::Tensor LayeredRBMImpl::hidden_input(const torch::Tensor& v) const { return hidden_input_of(visible->statistic(v)); }

torch::Tensor LayeredRBMImpl::hidden_input_of(const torch::Tensor& s) const {
  const auto centred = options_.centered() ? s - in_dtype_of(visible_offset, s) : s;
  return centred.matmul(in_dtype_of(weight, s));
}

torch::Tensor LayeredRBMImpl::visible_input(const torch::Tensor& h) const {
  const auto s = hidden->statistic(h);
  const auto centred = options_.centered() ? s - in_dtype_of(hidden_offset, h) : s;
  return centred.matmul(in_dtype_of(weight, h).t());
}

torch::Tensor LayeredRBMImpl::hidden_total_input(const torch::Tensor& s) const {
  return ebm::addmm(plain_hidden_field(s.scalar_type()), s, in_dtype_of(weight, s));
}

torch::Tensor LayeredRBMImpl::visible_total_input(const torch::Tensor& h) const {
  return ebm::addmm(plain_visible_field(h.scalar_type()), hidden->statistic(h), in_dtype_of(weight, h).t());
}

torch::Tensor LayeredRBMImpl::visible_potential(const torch::Tensor& v) const {
  if (visible_linear_) return -v.mv(plain_visible_field(v.scalar_type()));
  return visible_potential_of(visible->energy_and_statistic(v));
}

torch::Tensor LayeredRBMImpl::visible_potential_of(const LayerImpl::EnergyAndStatistic& v) const {
  const auto& s = v.statistic;
  return options_.centered() ? v.energy + s.matmul(in_dtype_of(weight, s).mv(in_dtype_of(hidden_offset, s))) : v.energy;
}

torch::Tensor LayeredRBMImpl::hidden_potential(const torch::Tensor& h) const {
  if (hidden_linear_) return -h.mv(plain_hidden_field(h.scalar_type()));
  const auto t = hidden->energy_and_statistic(h);
  return options_.centered() ? t.energy + t.statistic.matmul(in_dtype_of(weight, h).t().mv(in_dtype_of(visible_offset, h))) : t.energy;
}

torch::Tensor LayeredRBMImpl::hidden_cgf(const torch::Tensor& s) const {
  return hidden_linear_ ? hidden_linear_->cgf_at(hidden_total_input(s)) : hidden->cgf(hidden_input_of(s));
}

torch::Tensor LayeredRBMImpl::visible_cgf(const torch::Tensor& h) const {
  return visible_linear_ ? visible_linear_->cgf_at(visible_total_input(h)) : visible->cgf(visible_input(h));
}

namespace {
// F(v) = -v.b - Gamma_h(a), a = c + v W, from a and the hidden mean m, per row.
torch::Tensor free_energy_value(const LinearLayerImpl& hidden, const torch::Tensor& a, const torch::Tensor& m,
                                const torch::Tensor& v, const torch::Tensor& b) {
  return hidden.cgf_at(a, m).add_(v.mv(b)).neg_();
}

// F(v) of two linear layers with its gradient written out (see the header). Returns {F(v), m, a};
// m and a are not differentiable. (needs_input_grad counts the tensor arguments only; backward
// returns one gradient per argument, none for the layer.)
class FreeEnergy : public torch::autograd::Function<FreeEnergy> {
 public:
  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* ctx, const LinearLayerImpl* hidden,
                                              const torch::Tensor& v, const torch::Tensor& w, const torch::Tensor& b,
                                              const torch::Tensor& c) {
    auto a = ebm::addmm(c, v, w);
    auto m = hidden->mean_at(a);
    ctx->save_for_backward({v, w, b, m});
    ctx->mark_non_differentiable({m, a});
    return {free_energy_value(*hidden, a, m, v, b), m, a};
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &v = saved[0], &w = saved[1], &b = saved[2], &m = saved[3];
    auto minus_g = grads[0].neg();
    auto gm = m * minus_g.unsqueeze(1);  // dL/da
    torch::Tensor grad_v, grad_w, grad_b, grad_c;
    if (ctx->needs_input_grad(0)) grad_v = torch::addmm(minus_g.unsqueeze(1) * b, gm, w.t());
    if (ctx->needs_input_grad(1)) grad_w = ebm::mm(v.t(), gm);
    if (ctx->needs_input_grad(2)) grad_b = v.t().mv(minus_g);
    if (ctx->needs_input_grad(3)) grad_c = gm.sum(0);
    return {torch::Tensor(), grad_v, grad_w, grad_b, grad_c};
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

// F(v+) and F(v-) of two batches in one node, from their total inputs a and hidden means m
// (computed outside, so the memo can serve one of them). v+ and v- are constants (the caller
// checks that neither needs a gradient). The weight gradient -v+^T (m+ g+) - v-^T (m- g-)
// accumulates in one buffer (a GEMM with beta = 1).
class FreeEnergyPair : public torch::autograd::Function<FreeEnergyPair> {
 public:
  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* ctx, const LinearLayerImpl* hidden,
                                              const torch::Tensor& v0, const torch::Tensor& v1, const torch::Tensor& a0,
                                              const torch::Tensor& a1, const torch::Tensor& m0, const torch::Tensor& m1,
                                              const torch::Tensor& w, const torch::Tensor& b, const torch::Tensor& c) {
    ctx->save_for_backward({v0, v1, m0, m1});
    return {free_energy_value(*hidden, a0, m0, v0, b), free_energy_value(*hidden, a1, m1, v1, b)};
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    torch::Tensor grad_w, grad_b, grad_c;
    for (int i = 0; i < 2; ++i) {
      if (!grads[i].defined()) continue;
      const auto &v = saved[i], &m = saved[2 + i];
      const auto minus_g = grads[i].neg();
      // dL/da = m (-g) per row: where every row has one weight (a mean's gradient), that number
      // scales the products instead of a pass over m.
      const auto shared = shared_row_weight(grads[i]);
      const auto gm = shared ? m : m * minus_g.unsqueeze(1);
      const double alpha = shared ? -*shared : 1.0;
      if (ctx->needs_input_grad(6)) grad_w = grad_w.defined() ? ebm::addmm_(grad_w, v.t(), gm, alpha) : ebm::mm(v.t(), gm, alpha);
      if (ctx->needs_input_grad(7)) grad_b = grad_b.defined() ? grad_b.addmv_(v.t(), minus_g) : v.t().mv(minus_g);
      if (ctx->needs_input_grad(8)) grad_c = grad_c.defined() ? grad_c.add_(gm.sum(0), alpha) : gm.sum(0).mul_(alpha);
    }
    const torch::Tensor none;
    return {none, none, none, none, none, none, none, grad_w, grad_b, grad_c};
  }
};
}  // namespace

torch::Tensor LayeredRBMImpl::energy(const torch::Tensor& v) {
  if (visible_linear_ && !hidden_linear_) return visible_potential(v) - hidden_cgf(v);
  if (!visible_linear_) {
    // E_v and s_v in one call: what they share (a scaled Gaussian layer's sigma^2) is computed once.
    const auto terms = visible->energy_and_statistic(v);
    return visible_potential_of(terms) - hidden_cgf(terms.statistic);
  }
  const auto fields = plain_fields(v.scalar_type());
  auto outputs = FreeEnergy::apply(hidden_linear_, v, in_dtype_of(weight, v), fields.visible, fields.hidden);
  remember(v, outputs[2], outputs[1]);
  return outputs[0];
}

std::vector<torch::Tensor> LayeredRBMImpl::energies(const std::vector<torch::Tensor>& batches) {
  const bool pair = visible_linear_ && hidden_linear_ && batches.size() == 2 && torch::GradMode::is_enabled() &&
                    !batches[0].requires_grad() && !batches[1].requires_grad() &&
                    batches[0].scalar_type() == batches[1].scalar_type();
  if (!pair) return EnergyModelImpl::energies(batches);
  const auto fields = plain_fields(batches[0].scalar_type());
  const auto w = in_dtype_of(weight, batches[0]);
  torch::Tensor a[2], m[2];
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 2; ++i) {
      if (memo_matches(batches[i])) {
        a[i] = memo_.total, m[i] = memo_.mean;
      } else {
        a[i] = ebm::addmm(fields.hidden, batches[i], w);
        m[i] = hidden_linear_->mean_at(a[i]);
      }
    }
  }
  return FreeEnergyPair::apply(hidden_linear_, batches[0], batches[1], a[0], a[1], m[0], m[1], w, fields.visible, fields.hidden);
}

bool LayeredRBMImpl::memo_matches(const torch::Tensor& v) const {
  return memo_.input.defined() && memo_.input.is_same(v) && memo_.input_version == v._version() &&
         memo_.parameters_version == parameters_version() && memo_.weight_data == weight.data_ptr();
}

void LayeredRBMImpl::remember(const torch::Tensor& v, const torch::Tensor& total, const torch::Tensor& mean) {
  memo_ = {v, total.detach(), mean.detach(), v._version(), parameters_version(), weight.data_ptr()};
}

int64_t LayeredRBMImpl::parameters_version() const {
  // Versions only grow, so their sum changes when any of them does.
  int64_t sum = weight._version() + hidden_linear_->field._version();
  for (const auto& p : visible->parameters()) sum += p._version();
  return sum;
}

torch::Tensor LayeredRBMImpl::hidden_free_energy(const torch::Tensor& h) { return hidden_potential(h) - visible_cgf(h); }

torch::Tensor LayeredRBMImpl::joint_energy(const torch::Tensor& v, const torch::Tensor& h) {
  return -(ebm::mm(visible->statistic(v), in_dtype_of(weight, v)) * hidden->statistic(h)).sum(1) + visible_potential(v) + hidden_potential(h);
}

LayeredRBMImpl::HiddenLaw LayeredRBMImpl::hidden_law(const torch::Tensor& v) {
  // The memo holds no graph, so it serves only callers that need none (samplers).
  const bool memo = !torch::GradMode::is_enabled();
  if (memo && memo_matches(v)) return {memo_.total, memo_.mean};
  auto a = hidden_total_input(visible->statistic(v));
  auto m = hidden_linear_->mean_at(a);
  if (memo) remember(v, a, m);
  return {a, m};
}

torch::Tensor LayeredRBMImpl::hidden_mean(const torch::Tensor& v) {
  return hidden_linear_ ? hidden_law(v).mean : hidden->mean(hidden_input(v));
}

torch::Tensor LayeredRBMImpl::sample_hidden(const torch::Tensor& v) {
  if (!hidden_linear_) return hidden->sample(hidden_input(v));
  const auto law = hidden_law(v);
  return hidden_linear_->sample_at(law.total, law.mean);
}

torch::Tensor LayeredRBMImpl::visible_mean(const torch::Tensor& h) {
  return visible_linear_ ? visible_linear_->mean_at(visible_total_input(h)) : visible->mean(visible_input(h));
}

torch::Tensor LayeredRBMImpl::sample_visible(const torch::Tensor& h) {
  return visible_linear_ ? visible_linear_->sample_at(visible_total_input(h)) : visible->sample(visible_input(h));
}

torch::Tensor LayeredRBMImpl::sample_hidden_tempered(const torch::Tensor& v, const torch::Tensor& beta) {
  if (!hidden_linear_) return hidden->sample(hidden_input(v), beta);
  auto a = hidden_total_input(visible->statistic(v));
  return hidden_linear_->sample_at(a.mul_(inverse_temperature(beta, a)));
}

torch::Tensor LayeredRBMImpl::sample_visible_tempered(const torch::Tensor& h, const torch::Tensor& beta) {
  if (!visible_linear_) return visible->sample(visible_input(h), beta);
  auto a = visible_total_input(h);
  return visible_linear_->sample_at(a.mul_(inverse_temperature(beta, a)));
}

void LayeredRBMImpl::init_visible_from(const torch::Tensor& data) {
  const auto fit = visible->independent_fit(data.to(weight.dtype()));
  const auto fitted = fit->named_parameters();
  torch::NoGradGuard no_grad;
  for (auto& item : visible->named_parameters()) item.value().copy_(fitted[item.key()]);
}

void LayeredRBMImpl::set_visible_offset(const torch::Tensor& data) {
  if (!options_.centered()) throw std::logic_error("set_visible_offset: the RBM is not centred");
  torch::NoGradGuard no_grad;
  visible_offset.copy_(visible->statistic(data.to(visible_offset.dtype())).mean(0));
  memo_ = {};  // the hidden total input depends on the offset
}

void LayeredRBMImpl::after_update(const torch::Tensor& data_batch) {
  // Optimisers may update through .data(), which the version counters do not see.
  memo_ = {};
  if (!options_.centered()) return;
  torch::NoGradGuard no_grad;
  // E[s(h) | v] = s(E[h | v]): every statistic is a scale of the state.
  const auto batch_mean = hidden->statistic(hidden_mean(data_batch.to(weight.dtype()))).mean(0);
  const auto moved = hidden_offset + options_.offset_rate() * (batch_mean - hidden_offset);
  visible->shift_field(weight.mv(moved - hidden_offset));  // the distribution stays what it was
  hidden_offset.copy_(moved);
}

namespace {

// E_beta = (1 - beta)(E_vA(v) + E_hA(h)) + beta E(v, h), in double (see the header):
//   log p*_beta(v) = -E_v,beta(v) - beta v^T W lambda + Gamma_h,beta(beta W^T (v - mu)),
//   Z_0 = exp(Gamma_vA(0) + Gamma_hA(0)).
// A linear layer's tempered law is that of its interpolated field (the blank hidden layer's is 0):
// (1 - beta) b_A + beta b for the visible one, beta c for the hidden one, folded into the products
// as the model folds them; other layers are interpolated (the last two betas kept).
class LayeredPath : public AnnealingPath {
 public:
  LayeredPath(const LayeredRBMImpl& rbm, const torch::Tensor& data)
      : visible_(rbm.visible), hidden_(rbm.hidden), visible_linear_(rbm.visible_linear()), hidden_linear_(rbm.hidden_linear()) {
    torch::NoGradGuard no_grad;
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(rbm.weight.device());
    w_ = rbm.weight.detach().to(opts);
    mu_ = torch::zeros({w_.size(0)}, opts), lambda_ = torch::zeros({w_.size(1)}, opts);
    if (rbm.options().centered()) mu_ = rbm.visible_offset.to(opts), lambda_ = rbm.hidden_offset.to(opts);
    base_visible_ = visible_->independent_fit(has_rows(data) ? data.to(opts) : torch::Tensor());
    base_hidden_ = hidden_->blank();
    base_visible_->to(opts.device()), base_hidden_->to(opts.device());
    base_log_z_ = (base_visible_->cgf(torch::zeros({1, w_.size(0)}, opts)) + base_hidden_->cgf(torch::zeros({1, w_.size(1)}, opts))).item<double>();
    const auto plain = rbm.plain_fields(torch::kFloat64);  // undefined on sides that are not linear
    if (visible_linear_) {
      b_ = plain.visible.detach().to(opts);
      base_b_ = static_cast<const LinearLayerImpl&>(*base_visible_).field.detach().to(opts).flatten();
    }
    if (hidden_linear_) c_ = plain.hidden.detach().to(opts);
  }
  double base_log_z() const override { return base_log_z_; }
  torch::TensorOptions options() const override { return w_.options(); }
  torch::Tensor base_sample(int64_t chains) const override {
    torch::NoGradGuard no_grad;
    return base_visible_->sample(torch::zeros({chains, w_.size(0)}, w_.options()));
  }
  torch::Tensor shared(const torch::Tensor& v) const override {
    const auto s = visible_->statistic(v);
    return hidden_linear_ ? torch::addmm(c_, s, w_) : (s - mu_).mm(w_);
  }
  torch::Tensor log_unnormalised(const torch::Tensor& v, const torch::Tensor& pre, double beta) const override {
    torch::NoGradGuard no_grad;
    const auto visible_part =
        visible_linear_ ? v.mv(visible_field(beta)) : -at(beta).visible->energy(v) - beta * visible_->statistic(v).mv(w_.mv(lambda_));
    return visible_part + (hidden_linear_ ? hidden_linear_->cgf_at(pre * beta) : at(beta).hidden->cgf(pre * beta));
  }
  torch::Tensor sweep(const torch::Tensor& pre, double beta) const override {
    torch::NoGradGuard no_grad;
    const auto h = hidden_->statistic(hidden_linear_ ? hidden_linear_->sample_at(pre * beta) : at(beta).hidden->sample(pre * beta));
    if (visible_linear_) return visible_linear_->sample_at(torch::addmm(visible_field(beta), h, w_.t(), /*beta=*/1, /*alpha=*/beta));
    return at(beta).visible->sample((h - lambda_).mm(w_.t()) * beta);
  }

 private:
  torch::Tensor visible_field(double beta) const { return base_b_ * (1 - beta) + b_ * beta; }

  struct Tempered {
    double beta = -1;
    LayerPtr visible, hidden;
  };
  // The interpolated layers at beta; AIS asks for each beta two or three times in a row, so the
  // last two are kept.
  const Tempered& at(double beta) const {
    for (const auto& t : recent_) {
      if (t.beta == beta) return t;
    }
    auto& slot = recent_[next_];
    next_ = 1 - next_;
    slot = {beta, visible_->interpolated(*base_visible_, beta), hidden_->interpolated(*base_hidden_, beta)};
    slot.visible->to(w_.device()), slot.hidden->to(w_.device());
    return slot;
  }

  LayerPtr visible_, hidden_, base_visible_, base_hidden_;
  const LinearLayerImpl *visible_linear_, *hidden_linear_;
  torch::Tensor w_, mu_, lambda_, b_, base_b_, c_;
  double base_log_z_ = 0;
  mutable Tempered recent_[2];
  mutable int next_ = 0;
};

}  // namespace

std::unique_ptr<AnnealingPath> LayeredRBMImpl::annealing_path(const torch::Tensor& base_data) {
  return std::make_unique<LayeredPath>(*this, base_data);
}

}  // namespace ebm
