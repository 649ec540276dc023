// Spin units x in {-1, +1} with fields theta: E_n(x) = -theta_n x, so given the input I,
//   Gamma_n(I) = log(2 cosh(beta a)),  mean tanh(beta a),  variance 1 - tanh^2(beta a),   a = theta_n + I;
// x = +1 with probability sigmoid(2 beta a).
#pragma once

#include "ebm/layers/linear_layer.h"

namespace ebm {

class SpinLayerImpl : public LinearLayerImpl {
 public:
  explicit SpinLayerImpl(int64_t units) : LinearLayerImpl({units}) {}
  torch::Tensor cgf_at(const torch::Tensor& a, const torch::Tensor& mean = {}) const override;
  torch::Tensor mean_at(const torch::Tensor& a) const override;
  torch::Tensor variance_at(const torch::Tensor& a) const override;
  torch::Tensor sample_at(const torch::Tensor& a, const torch::Tensor& mean = {}) const override;
  std::optional<torch::Tensor> unit_states() const override;
  std::string type_name() const override { return "spin"; }
  Domain domain() const override { return Domain::Discrete; }
  std::string invalid_state(const torch::Tensor& x) const override;
  LayerPtr blank() const override { return std::make_shared<SpinLayerImpl>(units()); }
  // theta = atanh(m) of the data's means m, clamped to [-0.998, 0.998].
  LayerPtr independent_fit(const torch::Tensor& data) const override;
};
TORCH_MODULE(SpinLayer);

}  // namespace ebm
