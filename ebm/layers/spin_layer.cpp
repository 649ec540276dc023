#include "ebm/layers/spin_layer.h"

#include <torch/torch.h>


#include "ebm/bernoulli.h"

namespace ebm {

torch::Tensor SpinLayerImpl::cgf_at(const torch::Tensor& a, const torch::Tensor&) const {
  const auto m = a.abs();
  return (m + torch::log1p(torch::exp(-2 * m))).sum(1);  // log(e^a + e^-a) = log 2 cosh, without overflow
}
torch::Tensor SpinLayerImpl::mean_at(const torch::Tensor& a) const { return torch::tanh(a); }
torch::Tensor SpinLayerImpl::variance_at(const torch::Tensor& a) const { return 1 - mean_at(a).pow(2); }
torch::Tensor SpinLayerImpl::sample_at(const torch::Tensor& a, const torch::Tensor&) const { return 2 * sample_bernoulli(torch::sigmoid(2 * a)) - 1; }

std::string SpinLayerImpl::invalid_state(const torch::Tensor& x) const {
  return first_bad_row(((x != -1) & (x != 1)).any(1), "has a value that is neither -1 nor +1 (spin units)");
}

LayerPtr SpinLayerImpl::independent_fit(const torch::Tensor& data) const {
  if (!has_rows(data)) return blank();
  return with_field(torch::atanh(data.to(torch::kFloat64).mean(0).clamp(-0.998, 0.998)));
}

std::optional<torch::Tensor> SpinLayerImpl::unit_states() const { return torch::tensor({-1.0, 1.0}, field.options()).unsqueeze(1); }

}  // namespace ebm
