#include "ebm/layers/binary_layer.h"

#include <torch/torch.h>

#include "ebm/bernoulli.h"

namespace ebm {

torch::Tensor BinaryLayerImpl::cgf(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return torch::softplus(inverse_temperature(beta, inputs) * (inputs + field.to(inputs.dtype()))).sum(1);
}

torch::Tensor BinaryLayerImpl::mean(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  return torch::sigmoid(inverse_temperature(beta, inputs) * (inputs + field.to(inputs.dtype())));
}

torch::Tensor BinaryLayerImpl::variance(const torch::Tensor& inputs, const torch::Tensor& beta) const {
  const auto m = mean(inputs, beta);
  return m * (1 - m);
}

torch::Tensor BinaryLayerImpl::sample(const torch::Tensor& inputs, const torch::Tensor& beta) const { return sample_bernoulli(mean(inputs, beta).detach()); }

std::string BinaryLayerImpl::invalid_state(const torch::Tensor& x) const {
  return first_bad_row(((x != 0) & (x != 1)).any(1), "has a value that is neither 0 nor 1");
}

LayerPtr BinaryLayerImpl::independent_fit(const torch::Tensor& data) const {
  if (!has_rows(data)) return blank();
  const auto p = data.to(torch::kFloat64).mean(0).clamp(1e-3, 1 - 1e-3);
  return with_field(torch::log(p / (1 - p)));
}

std::optional<torch::Tensor> BinaryLayerImpl::unit_states() const { return torch::tensor({0.0, 1.0}, field.options()).unsqueeze(1); }

}  // namespace ebm
