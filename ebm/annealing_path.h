// AnnealingPath: the tempered family between a tractable base model A and a latent-variable
// model B that annealed importance sampling walks along (Neal 2001; Salakhutdinov & Murray 2008):
//   E_β(v, h) = (1 - β) E_A(v, h) + β E_B(v, h),   p*_β(v) = Σ_h exp(-E_β(v, h)),   β ∈ [0, 1],
// with A's normaliser Z_0 known and exact samples of A. Every step of AIS, reverse AIS and
// RAISE (samplers/ais.h) is written with these operations, so each model states its own path
// (in its own file) and the estimators need no knowledge of the class. Everything is double
// precision on the model's device.
#pragma once

#include <torch/types.h>

namespace ebm {

class AnnealingPath {
 public:
  virtual ~AnnealingPath() = default;
  // log Z_0 of the base model.
  virtual double base_log_z() const = 0;
  virtual torch::TensorOptions options() const = 0;
  // `chains` exact draws [chains, V] from the base model's visible marginal.
  virtual torch::Tensor base_sample(int64_t chains) const = 0;
  // What every tempered distribution shares for the visible states v (the hidden units'
  // pre-activations): one product serves a step's weight and its Gibbs sweep.
  virtual torch::Tensor shared(const torch::Tensor& v) const = 0;
  // log p*_β(v) per row, given shared(v).
  virtual torch::Tensor log_unnormalised(const torch::Tensor& v, const torch::Tensor& shared, double beta) const = 0;
  // One block Gibbs sweep at β (h ~ p_β(h | v), then v ~ p_β(v | h)), given shared(v): new v.
  virtual torch::Tensor sweep(const torch::Tensor& shared, double beta) const = 0;
};

}  // namespace ebm
