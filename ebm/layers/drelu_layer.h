// dReLU units x in R (Tubiana, Cocco & Monasson 2019): a ReLU-like potential on each half-line,
//   E_n(x) = gamma+ x^2 / 2 - theta+ x  for x >= 0,   gamma- x^2 / 2 - theta- x  for x < 0,
// (precisions learnt as logs) so given the input I the unit's law is a mixture of a truncated
// normal on x >= 0 (the ReLU law of a+ = theta+ + I, gamma+) and the mirror of one on x < 0
// (the ReLU law of a- = -(theta- + I), gamma-, of -x), with weights exp(G+ - G) and exp(G- - G):
//   Gamma_n(I) = G = logaddexp(G+, G-),  G+- the two halves' ReLU cgfs (relu_layer.h),
//   mean = p+ mu+ - p- mu-,  variance = p+ (nu+ + mu+^2) + p- (nu- + mu-^2) - mean^2.
#pragma once

#include "ebm/layers/layer.h"

namespace ebm {

class DReLULayerImpl : public LayerImpl {
 public:
  explicit DReLULayerImpl(int64_t units);
  int64_t units() const override { return field_positive.size(0); }
  torch::Tensor energy(const torch::Tensor& x) const override;
  torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const override;
  std::string type_name() const override { return "drelu"; }
  Domain domain() const override { return Domain::Continuous; }
  std::string invalid_state(const torch::Tensor& x) const override;
  LayerPtr blank() const override { return std::make_shared<DReLULayerImpl>(units()); }
  // No closed form: blank().
  LayerPtr independent_fit(const torch::Tensor&) const override { return blank(); }
  // Each half's theta and gamma interpolated.
  LayerPtr interpolated(const LayerImpl& base, double beta) const override;
  // Both halves' fields (the linear term is -theta+ x on one half-line, -theta- x on the other).
  void shift_field(const torch::Tensor& delta) override;

  torch::Tensor field_positive, field_negative;                    // theta+, theta- [units]
  torch::Tensor log_precision_positive, log_precision_negative;    // log gamma+, log gamma- [units]

 private:
  struct Halves {
    torch::Tensor a_positive, gamma_positive, a_negative, gamma_negative;  // a- for -x
    torch::Tensor beta;                         // as a factor of the inputs
    torch::Tensor cgf, p_positive, p_negative;  // logaddexp of the halves' cgfs, each half's weight
  };
  Halves halves(const torch::Tensor& inputs, const torch::Tensor& beta) const;
};
TORCH_MODULE(DReLULayer);

}  // namespace ebm
