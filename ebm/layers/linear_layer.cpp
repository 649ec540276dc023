#include "ebm/layers/linear_layer.h"

#include <torch/torch.h>

namespace ebm {

LinearLayerImpl::LinearLayerImpl(std::vector<int64_t> shape) : field(register_parameter("field", torch::zeros(shape))) {}

namespace {
// beta (theta + I), the total input.
torch::Tensor total_input(const torch::Tensor& field, const torch::Tensor& inputs, const torch::Tensor& beta) {
  return inverse_temperature(beta, inputs) * (inputs + field.to(inputs.dtype()).flatten());
}
}  // namespace

torch::Tensor LinearLayerImpl::cgf(const torch::Tensor& inputs, const torch::Tensor& beta) const { return cgf_at(total_input(field, inputs, beta)); }
torch::Tensor LinearLayerImpl::mean(const torch::Tensor& inputs, const torch::Tensor& beta) const { return mean_at(total_input(field, inputs, beta)); }
torch::Tensor LinearLayerImpl::variance(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return variance_at(total_input(field, inputs, beta));
}
torch::Tensor LinearLayerImpl::sample(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return sample_at(total_input(field, inputs, beta).detach());
}

torch::Tensor LinearLayerImpl::energy(const torch::Tensor& x) const { return -x.matmul(field.to(x.dtype()).flatten()); }

LayerPtr LinearLayerImpl::with_field(const torch::Tensor& value) const {
  auto out = blank();
  torch::NoGradGuard no_grad;
  static_cast<LinearLayerImpl&>(*out).field.set_data(value.detach().reshape(field.sizes()).clone());
  return out;
}

LayerPtr LinearLayerImpl::interpolated(const LayerImpl& base, double beta) const {
  const auto& from = dynamic_cast<const LinearLayerImpl&>(base);
  return with_field(from.field.detach().to(torch::kFloat64) * (1 - beta) + field.detach().to(torch::kFloat64) * beta);
}

void LinearLayerImpl::shift_field(const torch::Tensor& delta) {
  torch::NoGradGuard no_grad;
  field.add_(delta.to(field.dtype()).view_as(field));
}

}  // namespace ebm
