#include "ebm/layered_rbm.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm {

LayeredRBMImpl::LayeredRBMImpl(const LayeredRBMOptions& options)
    : visible(options.visible()), hidden(options.hidden()), options_(options) {
  if (!visible || !hidden) throw std::invalid_argument("an RBM needs a visible and a hidden layer");
  register_module("visible", visible);
  register_module("hidden", hidden);
  weight = register_parameter("weight", torch::randn({visible->width(), hidden->width()}) * options.init_std());
  if (options.centered()) {
    torch::NoGradGuard no_grad;
    visible_offset = register_buffer("visible_offset", visible->mean(torch::zeros({1, visible->width()}))[0].clone());
    hidden_offset = register_buffer("hidden_offset", hidden->mean(torch::zeros({1, hidden->width()}))[0].clone());
  }
}

torch::Tensor LayeredRBMImpl::hidden_input(const torch::Tensor& v) const {
  const auto centred = options_.centered() ? v - in_dtype_of(visible_offset, v) : v;
  return centred.matmul(in_dtype_of(weight, v));
}

torch::Tensor LayeredRBMImpl::visible_input(const torch::Tensor& h) const {
  const auto centred = options_.centered() ? h - in_dtype_of(hidden_offset, h) : h;
  return centred.matmul(in_dtype_of(weight, h).t());
}

torch::Tensor LayeredRBMImpl::energy(const torch::Tensor& v) {
  auto f = visible->energy(v) - hidden->cgf(hidden_input(v));
  if (!options_.centered()) return f;
  const auto w = in_dtype_of(weight, v);
  return f + v.matmul(w.mv(in_dtype_of(hidden_offset, v)));
}

torch::Tensor LayeredRBMImpl::hidden_free_energy(const torch::Tensor& h) {
  auto f = hidden->energy(h) - visible->cgf(visible_input(h));
  if (!options_.centered()) return f;
  const auto w = in_dtype_of(weight, h);
  return f + h.matmul(w.t().mv(in_dtype_of(visible_offset, h)));
}

torch::Tensor LayeredRBMImpl::joint_energy(const torch::Tensor& v, const torch::Tensor& h) {
  const auto w = in_dtype_of(weight, v);
  auto e = visible->energy(v) + hidden->energy(h) - (v.matmul(w) * h).sum(1);
  if (!options_.centered()) return e;
  return e + v.matmul(w.mv(in_dtype_of(hidden_offset, v))) + h.matmul(w.t().mv(in_dtype_of(visible_offset, h)));
}

torch::Tensor LayeredRBMImpl::hidden_mean(const torch::Tensor& v) { return hidden->mean(hidden_input(v)); }
torch::Tensor LayeredRBMImpl::sample_hidden(const torch::Tensor& v) { return hidden->sample(hidden_input(v)); }
torch::Tensor LayeredRBMImpl::visible_mean(const torch::Tensor& h) { return visible->mean(visible_input(h)); }
torch::Tensor LayeredRBMImpl::sample_visible(const torch::Tensor& h) { return visible->sample(visible_input(h)); }

torch::Tensor LayeredRBMImpl::sample_hidden_tempered(const torch::Tensor& v, const torch::Tensor& beta) {
  return hidden->sample(hidden_input(v), beta);
}

torch::Tensor LayeredRBMImpl::sample_visible_tempered(const torch::Tensor& h, const torch::Tensor& beta) {
  return visible->sample(visible_input(h), beta);
}

void LayeredRBMImpl::init_visible_from(const torch::Tensor& data) {
  const auto fit = visible->independent_fit(data.to(torch::kFloat64));
  const auto fitted = fit->named_parameters();
  torch::NoGradGuard no_grad;
  for (auto& item : visible->named_parameters()) item.value().copy_(fitted[item.key()]);
}

void LayeredRBMImpl::set_visible_offset(const torch::Tensor& data) {
  if (!options_.centered()) throw std::logic_error("set_visible_offset: the RBM is not centred");
  torch::NoGradGuard no_grad;
  visible_offset.copy_(data.to(visible_offset.dtype()).mean(0));
}

void LayeredRBMImpl::after_update(const torch::Tensor& data_batch) {
  if (!options_.centered()) return;
  torch::NoGradGuard no_grad;
  const auto batch_mean = hidden_mean(data_batch.to(weight.dtype())).mean(0);
  const auto moved = hidden_offset + options_.offset_rate() * (batch_mean - hidden_offset);
  visible->shift_field(weight.mv(moved - hidden_offset));  // the distribution stays what it was
  hidden_offset.copy_(moved);
}

namespace {

// E_beta = (1 - beta)(E_vA(v) + E_hA(h)) + beta E(v, h), in double (see the header):
//   log p*_beta(v) = -E_v,beta(v) - beta v^T W lambda + Gamma_h,beta(beta W^T (v - mu)),
//   Z_0 = exp(Gamma_vA(0) + Gamma_hA(0)).
class LayeredPath : public AnnealingPath {
 public:
  LayeredPath(const LayeredRBMImpl& rbm, const torch::Tensor& data) {
    torch::NoGradGuard no_grad;
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(rbm.weight.device());
    w_ = rbm.weight.detach().to(opts);
    mu_ = torch::zeros({w_.size(0)}, opts), lambda_ = torch::zeros({w_.size(1)}, opts);
    if (rbm.options().centered()) mu_ = rbm.visible_offset.to(opts), lambda_ = rbm.hidden_offset.to(opts);
    visible_ = rbm.visible, hidden_ = rbm.hidden;
    base_visible_ = visible_->independent_fit(data.defined() && data.numel() > 0 ? data.to(opts) : torch::Tensor());
    base_hidden_ = hidden_->blank();
    base_visible_->to(opts.device()), base_hidden_->to(opts.device());
    base_log_z_ = (base_visible_->cgf(torch::zeros({1, w_.size(0)}, opts)) + base_hidden_->cgf(torch::zeros({1, w_.size(1)}, opts))).item<double>();
  }
  double base_log_z() const override { return base_log_z_; }
  torch::TensorOptions options() const override { return w_.options(); }
  torch::Tensor base_sample(int64_t chains) const override {
    torch::NoGradGuard no_grad;
    return base_visible_->sample(torch::zeros({chains, w_.size(0)}, w_.options()));
  }
  torch::Tensor shared(const torch::Tensor& v) const override { return (v - mu_).mm(w_); }
  torch::Tensor log_unnormalised(const torch::Tensor& v, const torch::Tensor& pre, double beta) const override {
    torch::NoGradGuard no_grad;
    const auto& layers = at(beta);
    return -layers.visible->energy(v) - beta * v.mv(w_.mv(lambda_)) + layers.hidden->cgf(pre * beta);
  }
  torch::Tensor sweep(const torch::Tensor& pre, double beta) const override {
    torch::NoGradGuard no_grad;
    const auto& layers = at(beta);
    const auto h = layers.hidden->sample(pre * beta);
    return layers.visible->sample((h - lambda_).mm(w_.t()) * beta);
  }

 private:
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

  torch::Tensor w_, mu_, lambda_;
  LayerPtr visible_, hidden_, base_visible_, base_hidden_;
  double base_log_z_ = 0;
  mutable Tempered recent_[2];
  mutable int next_ = 0;
};

}  // namespace

std::unique_ptr<AnnealingPath> LayeredRBMImpl::annealing_path(const torch::Tensor& base_data) {
  return std::make_unique<LayeredPath>(*this, base_data);
}

}  // namespace ebm
