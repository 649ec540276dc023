// Spin units x in {-1, +1} with fields theta: E_n(x) = -theta_n x, so given the input I,
//   Gamma_n(I) = log(2 cosh(beta a)),  mean tanh(beta a),  variance 1 - tanh^2(beta a),   a = theta_n + I;
// x = +1 with probability sigmoid(2 beta a).
#pragma once

#include "ebm/layers/layer.h"

namespace ebm {

class SpinLayerImpl : public LayerImpl {
 public:
  explicit SpinLayerImpl(int64_t units);
  int64_t units() const override { return field.size(0); }
  torch::Tensor energy(const torch::Tensor& x) const override;
  torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  std::optional<torch::Tensor> unit_states() const override;
  std::string type_name() const override { return "spin"; }

  torch::Tensor field;  // theta [units]
};
TORCH_MODULE(SpinLayer);

}  // namespace ebm
