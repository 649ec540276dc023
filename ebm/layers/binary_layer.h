// Bernoulli units x in {0, 1} with fields theta: E_n(x) = -theta_n x, so given the input I,
//   Gamma_n(I) = softplus(beta a),  mean sigmoid(beta a),  variance m (1 - m),   a = theta_n + I.
#pragma once

#include "ebm/layers/linear_layer.h"

namespace ebm {

class BinaryLayerImpl : public LinearLayerImpl {
 public:
  explicit BinaryLayerImpl(int64_t units) : LinearLayerImpl({units}) {}
  torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  std::optional<torch::Tensor> unit_states() const override;
  std::string type_name() const override { return "binary"; }
};
TORCH_MODULE(BinaryLayer);

}  // namespace ebm
