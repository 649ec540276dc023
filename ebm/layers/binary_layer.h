// Bernoulli units x in {0, 1} with fields theta: E_n(x) = -theta_n x, so given the input I,
//   Gamma_n(I) = softplus(beta a),  mean sigmoid(beta a),  variance m (1 - m),   a = theta_n + I
// (row sums of softplus from the means at hand: ebm/softplus_sum.h).
#pragma once

#include "ebm/layers/linear_layer.h"

namespace ebm {

class BinaryLayerImpl : public LinearLayerImpl {
 public:
  explicit BinaryLayerImpl(int64_t units) : LinearLayerImpl({units}) {}
  torch::Tensor cgf_at(const torch::Tensor& a, const torch::Tensor& mean = {}) const override;
  torch::Tensor mean_at(const torch::Tensor& a) const override;
  torch::Tensor variance_at(const torch::Tensor& a) const override;
  torch::Tensor sample_at(const torch::Tensor& a, const torch::Tensor& mean = {}) const override;
  std::optional<torch::Tensor> unit_states() const override;
  std::string type_name() const override { return "binary"; }
  Domain domain() const override { return Domain::Binary; }
  std::string invalid_state(const torch::Tensor& x) const override;
  LayerPtr blank() const override { return std::make_shared<BinaryLayerImpl>(units()); }
  // theta = log(p / (1 - p)) of the data's means p, clamped to [0.001, 0.999] (Hinton 2010, section
  // 8), computed in the data's dtype.
  LayerPtr independent_fit(const torch::Tensor& data) const override;
};
TORCH_MODULE(BinaryLayer);

}  // namespace ebm
