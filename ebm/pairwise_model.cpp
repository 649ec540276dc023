#include "ebm/pairwise_model.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm {

PairwiseModelImpl::PairwiseModelImpl(const PairwiseModelOptions& options) {
  const auto& e = options.edges();
  const int64_t n = options.units()->units();
  if (!options.units()->unit_states()) throw std::invalid_argument("a pairwise model needs units with finitely many states");
  if (e.dim() != 2 || e.size(1) != 2 || e.scalar_type() != torch::kLong) throw std::invalid_argument("a graph's edges are int64 [E, 2]");
  if (e.numel() > 0 && (e.min().item<int64_t>() < 0 || e.max().item<int64_t>() >= n)) {
    throw std::invalid_argument("a graph's edges name units 0.." + std::to_string(n - 1));
  }
  if (e.numel() > 0 && e.select(1, 0).eq(e.select(1, 1)).any().item<bool>()) throw std::invalid_argument("a graph has a self-loop");
  units = register_module("units", options.units());
  const int64_t c = columns_per_unit();
  couplings = register_parameter("couplings", torch::randn({e.size(0), c, c}) * options.init_std());
  edges_ = e.clone();
}

torch::Tensor PairwiseModelImpl::energy(const torch::Tensor& x) {
  const int64_t c = columns_per_unit();
  const auto grouped = x.reshape({x.size(0), units->units(), c});
  const auto edges = edges_.to(x.device());
  const auto first = grouped.index_select(1, edges.select(1, 0)), second = grouped.index_select(1, edges.select(1, 1));  // [B, E, c]
  const auto pairs = torch::einsum("bea,eac,bec->b", {first, in_dtype_of(couplings, x), second});
  return units->energy(x) - pairs;
}

torch::Tensor PairwiseModelImpl::energy_gradient(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  const int64_t c = columns_per_unit(), b = x.size(0);
  const auto grouped = x.reshape({b, units->units(), c});
  const auto j = in_dtype_of(couplings, x).detach();
  const auto edges = edges_.to(x.device());
  const auto first = edges.select(1, 0), second = edges.select(1, 1);
  // theta_i + sum_{(i, j)} J x_j + sum_{(j, i)} J^T x_j, per unit [B, N, c].
  auto local = in_dtype_of(units->field, x).detach().reshape({1, units->units(), c}).expand_as(grouped).clone();
  local.index_add_(1, first, torch::einsum("eac,bec->bea", {j, grouped.index_select(1, second)}));
  local.index_add_(1, second, torch::einsum("eac,bea->bec", {j, grouped.index_select(1, first)}));
  return -local.reshape({b, -1});
}

void PairwiseModelImpl::init_fields_from(const torch::Tensor& data) {
  torch::NoGradGuard no_grad;
  const auto fit = std::dynamic_pointer_cast<LinearLayerImpl>(units->independent_fit(data));
  units->field.copy_(fit->field.to(units->field.dtype()));
}

}  // namespace ebm
