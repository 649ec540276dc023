#include "ebm/simple_densities.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm {

UniformBoxImpl::UniformBoxImpl(const torch::Tensor& low_value, const torch::Tensor& high_value) {
  if (!(high_value > low_value).all().item<bool>()) throw std::invalid_argument("a uniform box needs high > low");
  low = register_buffer("low", low_value.clone());
  high = register_buffer("high", high_value.clone());
}

torch::Tensor UniformBoxImpl::energy(const torch::Tensor& x) {
  auto y = x.to(low.dtype());
  auto inside = ((y >= low) & (y <= high)).all(1);
  auto log_volume = torch::log(high - low).sum();
  return torch::where(inside, log_volume.expand({y.size(0)}), torch::full({y.size(0)}, INFINITY, y.options()));
}

torch::Tensor UniformBoxImpl::sample(int64_t n) { return low + (high - low) * torch::rand({n, dim()}, low.options()); }

BernoulliProductImpl::BernoulliProductImpl(const torch::Tensor& p) {
  probability = register_buffer("probability", p.clamp(1e-3, 1 - 1e-3).clone());
}

torch::Tensor BernoulliProductImpl::energy(const torch::Tensor& x) {
  auto y = x.to(probability.dtype());
  return -(y * torch::log(probability) + (1 - y) * torch::log1p(-probability)).sum(1);
}

torch::Tensor BernoulliProductImpl::sample(int64_t n) {
  return torch::bernoulli(probability.expand({n, dim()}));
}

}  // namespace ebm
