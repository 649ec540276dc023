#include "ebm/layers/drelu_layer.h"

#include <torch/torch.h>

#include "ebm/layers/relu_layer.h"

namespace ebm {

DReLULayerImpl::DReLULayerImpl(int64_t units)
    : field_positive(register_parameter("field_positive", torch::zeros({units}))),
      field_negative(register_parameter("field_negative", torch::zeros({units}))),
      log_precision_positive(register_parameter("log_precision_positive", torch::zeros({units}))),
      log_precision_negative(register_parameter("log_precision_negative", torch::zeros({units}))) {}

torch::Tensor DReLULayerImpl::energy(const torch::Tensor& x) const {
  const auto dtype = x.dtype();
  const auto positive = log_precision_positive.to(dtype).exp() * x.pow(2) / 2 - field_positive.to(dtype) * x;
  const auto negative = log_precision_negative.to(dtype).exp() * x.pow(2) / 2 - field_negative.to(dtype) * x;
  return torch::where(x >= 0, positive, negative).sum(1);
}

DReLULayerImpl::Halves DReLULayerImpl::halves(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  const auto dtype = inputs.dtype();
  Halves h{inputs + field_positive.to(dtype), log_precision_positive.to(dtype).exp().expand_as(inputs),
           -(inputs + field_negative.to(dtype)), log_precision_negative.to(dtype).exp().expand_as(inputs),
           inverse_temperature(beta, inputs), {}, {}, {}};  // the last three below
  const auto g_positive = relu_unit::cgf(h.a_positive, h.gamma_positive, h.beta);
  const auto g_negative = relu_unit::cgf(h.a_negative, h.gamma_negative, h.beta);
  h.cgf = torch::logaddexp(g_positive, g_negative);
  h.p_positive = (g_positive - h.cgf).exp();
  h.p_negative = (g_negative - h.cgf).exp();
  return h;
}

torch::Tensor DReLULayerImpl::cgf(const torch::Tensor& inputs, const torch::Tensor& beta) const { return halves(inputs, beta).cgf.sum(1); }

torch::Tensor DReLULayerImpl::mean(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  const auto h = halves(inputs, beta);
  return h.p_positive * relu_unit::mean(h.a_positive, h.gamma_positive, h.beta) -
         h.p_negative * relu_unit::mean(h.a_negative, h.gamma_negative, h.beta);
}

torch::Tensor DReLULayerImpl::variance(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  const auto h = halves(inputs, beta);
  const auto mu_positive = relu_unit::mean(h.a_positive, h.gamma_positive, h.beta);
  const auto mu_negative = relu_unit::mean(h.a_negative, h.gamma_negative, h.beta);
  const auto second = h.p_positive * (relu_unit::variance(h.a_positive, h.gamma_positive, h.beta) + mu_positive.pow(2)) +
                      h.p_negative * (relu_unit::variance(h.a_negative, h.gamma_negative, h.beta) + mu_negative.pow(2));
  return second - (h.p_positive * mu_positive - h.p_negative * mu_negative).pow(2);
}

torch::Tensor DReLULayerImpl::sample(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  torch::NoGradGuard no_grad;
  const auto h = halves(inputs, beta);
  const auto positive = torch::rand_like(h.p_positive) < h.p_positive;
  return torch::where(positive, relu_unit::sample(h.a_positive, h.gamma_positive, h.beta),
                      -relu_unit::sample(h.a_negative, h.gamma_negative, h.beta));
}

std::string DReLULayerImpl::invalid_state(const torch::Tensor& x) const {
  return first_non_finite_row(x);
}

LayerPtr DReLULayerImpl::interpolated(const LayerImpl& base, double beta) const {
  const auto& from = dynamic_cast<const DReLULayerImpl&>(base);
  const auto mix = [beta](const torch::Tensor& a, const torch::Tensor& b) {
    return a.detach().to(torch::kFloat64) * (1 - beta) + b.detach().to(torch::kFloat64) * beta;
  };
  auto out = std::make_shared<DReLULayerImpl>(units());
  torch::NoGradGuard no_grad;
  out->field_positive.set_data(mix(from.field_positive, field_positive));
  out->field_negative.set_data(mix(from.field_negative, field_negative));
  out->log_precision_positive.set_data(mix(from.log_precision_positive.exp(), log_precision_positive.exp()).log());
  out->log_precision_negative.set_data(mix(from.log_precision_negative.exp(), log_precision_negative.exp()).log());
  return out;
}

void DReLULayerImpl::shift_field(const torch::Tensor& delta) {
  torch::NoGradGuard no_grad;
  field_positive.add_(delta.to(field_positive.dtype()));
  field_negative.add_(delta.to(field_negative.dtype()));
}

}  // namespace ebm
