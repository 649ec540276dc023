// Units whose potential is linear in their state, E(x) = -theta . x (binary, spin and Potts
// units, whose states differ): the fields, the energy, the interpolation of potentials and the
// shift of the fields they share. A state's columns follow the fields flattened (q per unit for
// one-hot units). Their law given an input I at inverse temperature beta depends on the total
// input a = beta (theta + I) alone, p(x | I) = exp(a . x - Gamma_0(a)): each kind of unit states
// Gamma_0 and its law as functions of a (the *_at methods), and the RBM of two such layers
// (ebm/layered_rbm.h) folds the fields into its matrix products, as a plain RBM does.
#pragma once

#include <vector>

#include "ebm/layers/layer.h"

namespace ebm {

class LinearLayerImpl : public LayerImpl {
 public:
  // Fields of `shape`, [units] or [units, q], all 0.
  explicit LinearLayerImpl(std::vector<int64_t> shape);
  int64_t units() const override { return field.size(0); }
  int64_t width() const override { return field.numel(); }
  torch::Tensor energy(const torch::Tensor& x) const override;
  torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const final;
  torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const final;
  torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const final;
  torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const final;
  // sum_n Gamma_0(a_n) of total inputs a [B, width()] -> [B]; `mean` (mean_at(a), when the caller
  // has it) may serve a faster form.
  virtual torch::Tensor cgf_at(const torch::Tensor& a, const torch::Tensor& mean = {}) const = 0;
  // The law's mean (the gradient of Gamma_0 in a), its variance and a draw (which `mean`, when
  // the caller has it, may serve), each [B, width()].
  virtual torch::Tensor mean_at(const torch::Tensor& a) const = 0;
  virtual torch::Tensor variance_at(const torch::Tensor& a) const = 0;
  virtual torch::Tensor sample_at(const torch::Tensor& a, const torch::Tensor& mean = {}) const = 0;
  LayerPtr interpolated(const LayerImpl& base, double beta) const override;
  void shift_field(const torch::Tensor& delta) override;

  torch::Tensor field;  // theta

 protected:
  // blank() with its field set to `value` (shaped like field): what the fits return.
  LayerPtr with_field(const torch::Tensor& value) const;
};

}  // namespace ebm
