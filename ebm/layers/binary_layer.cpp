#include "ebm/layers/binary_layer.h"

#include <torch/torch.h>

#include "ebm/bernoulli.h"
#include "ebm/softplus_sum.h"

namespace ebm {

torch::Tensor BinaryLayerImpl::cgf_at(const torch::Tensor& a, const torch::Tensor& mean) const {
  return mean.defined() ? softplus_row_sums(a, mean) : torch::softplus(a).sum(1);
}
torch::Tensor BinaryLayerImpl::mean_at(const torch::Tensor& a) const { return torch::sigmoid(a); }
torch::Tensor BinaryLayerImpl::variance_at(const torch::Tensor& a) const {
  const auto m = mean_at(a);
  return m * (1 - m);
}
torch::Tensor BinaryLayerImpl::sample_at(const torch::Tensor& a, const torch::Tensor& mean) const {
  return sample_bernoulli(mean.defined() ? mean : mean_at(a));
}

std::string BinaryLayerImpl::invalid_state(const torch::Tensor& x) const {
  return first_bad_row(((x != 0) & (x != 1)).any(1), "has a value that is neither 0 nor 1");
}

LayerPtr BinaryLayerImpl::independent_fit(const torch::Tensor& data) const {
  if (!has_rows(data)) return blank();
  const auto p = data.mean(0).clamp(1e-3, 1 - 1e-3);
  return with_field(torch::log(p / (1 - p)));
}

std::optional<torch::Tensor> BinaryLayerImpl::unit_states() const { return torch::tensor({0.0, 1.0}, field.options()).unsqueeze(1); }

}  // namespace ebm
