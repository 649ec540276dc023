// Potts (categorical) units, each in one of q states written one-hot (q columns per unit), with
// fields theta [units, q]: E_n(x) = -sum_k theta_nk x_k, so given the inputs I_n (q of them),
//   Gamma_n(I) = logsumexp_k beta a_k,  mean softmax(beta a),  variance p (1 - p),   a = theta_n + I_n.
#pragma once

#include "ebm/layers/linear_layer.h"

namespace ebm {

class PottsLayerImpl : public LinearLayerImpl {
 public:
  PottsLayerImpl(int64_t units, int64_t states);
  int64_t states() const { return field.size(1); }
  torch::Tensor cgf_at(const torch::Tensor& a, const torch::Tensor& mean = {}) const override;
  torch::Tensor mean_at(const torch::Tensor& a) const override;
  torch::Tensor variance_at(const torch::Tensor& a) const override;
  torch::Tensor sample_at(const torch::Tensor& a, const torch::Tensor& mean = {}) const override;
  std::optional<torch::Tensor> unit_states() const override;
  std::string type_name() const override { return "potts"; }
  Domain domain() const override { return Domain::Discrete; }
  std::string invalid_state(const torch::Tensor& x) const override;
  LayerPtr blank() const override { return std::make_shared<PottsLayerImpl>(units(), states()); }
  // theta_nk = log f_nk of the data's frequencies f, floored at 0.001.
  LayerPtr independent_fit(const torch::Tensor& data) const override;

 private:
  torch::Tensor grouped(const torch::Tensor& a) const;  // [B, width()] as [B, units, q]
};
TORCH_MODULE(PottsLayer);

}  // namespace ebm
