#include "ebm/layers/potts_layer.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm {

PottsLayerImpl::PottsLayerImpl(int64_t units, int64_t states) : LinearLayerImpl({units, states}) {
  if (states < 2) throw std::invalid_argument("a Potts unit has at least 2 states");
}

torch::Tensor PottsLayerImpl::grouped(const torch::Tensor& a) const { return a.view({a.size(0), units(), states()}); }
torch::Tensor PottsLayerImpl::cgf_at(const torch::Tensor& a, const torch::Tensor&) const { return torch::logsumexp(grouped(a), 2).sum(1); }
torch::Tensor PottsLayerImpl::mean_at(const torch::Tensor& a) const { return torch::softmax(grouped(a), 2).flatten(1); }
torch::Tensor PottsLayerImpl::variance_at(const torch::Tensor& a) const {
  const auto p = mean_at(a);
  return p * (1 - p);
}
torch::Tensor PottsLayerImpl::sample_at(const torch::Tensor& a, const torch::Tensor&) const {
  const auto l = grouped(a);
  const auto gumbel = -torch::log(-torch::log(torch::rand_like(l).clamp_min(1e-30)));
  const auto chosen = (l + gumbel).argmax(2, true);  // Gumbel-max: a draw of softmax(l)
  return torch::zeros_like(l).scatter_(2, chosen, 1.0).flatten(1);
}

std::string PottsLayerImpl::invalid_state(const torch::Tensor& x) const {
  const auto units_of = x.view({x.size(0), units(), states()});
  const auto bad = ((x != 0) & (x != 1)).any(1) | (units_of.sum(2) != 1).any(1);
  return first_bad_row(bad, "is not one-hot: each of its " + std::to_string(units()) + " groups of " + std::to_string(states()) +
                                " columns must hold one 1 and 0s (Potts units)");
}

LayerPtr PottsLayerImpl::independent_fit(const torch::Tensor& data) const {
  if (!has_rows(data)) return blank();
  return with_field(torch::log(data.to(torch::kFloat64).mean(0).clamp_min(1e-3)));
}

std::optional<torch::Tensor> PottsLayerImpl::unit_states() const { return torch::eye(states(), field.options()); }

}  // namespace ebm
