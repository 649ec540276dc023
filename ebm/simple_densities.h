// Simple normalised densities with exact log-density and sampling, the noise distributions of
// noise-contrastive estimation:
//   UniformBox:        q(x) = Π_i 1[lo_i <= x_i <= hi_i] / (hi_i - lo_i);
//   BernoulliProduct:  q(x) = Π_i p_i^x_i (1 - p_i)^(1 - x_i) on {0, 1}^D.
// (A Gaussian fitted to the data is ebm::Gaussian.) E(x) = -log q(x), so log Z = 0.
#pragma once

#include <torch/nn/pimpl.h>

#include "ebm/gaussian.h"

namespace ebm {

class UniformBoxImpl : public AnalyticDensity {
 public:
  UniformBoxImpl(const torch::Tensor& low, const torch::Tensor& high);
  torch::Tensor energy(const torch::Tensor& x) override;  // +inf outside the box
  torch::Tensor sample(int64_t n) override;
  int64_t dim() const override { return low.size(0); }
  std::string type_name() const override { return "uniform_box"; }
  torch::Tensor low, high;  // buffers
};
TORCH_MODULE(UniformBox);

class BernoulliProductImpl : public AnalyticDensity {
 public:
  // p [D], clamped to [1e-3, 1 - 1e-3] so every state has some mass.
  explicit BernoulliProductImpl(const torch::Tensor& p);
  torch::Tensor energy(const torch::Tensor& x) override;
  torch::Tensor sample(int64_t n) override;
  int64_t dim() const override { return probability.size(0); }
  Domain domain() const override { return Domain::Binary; }
  std::string type_name() const override { return "bernoulli_product"; }
  torch::Tensor probability;  // buffer
};
TORCH_MODULE(BernoulliProduct);

}  // namespace ebm
