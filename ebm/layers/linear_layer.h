// Units whose potential is linear in their state, E(x) = -theta . x (binary, spin and Potts
// units, whose states differ): the fields, the energy, the interpolation of potentials and the
// shift of the fields they share. A state's columns follow the fields flattened (q per unit for
// one-hot units).
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
  LayerPtr interpolated(const LayerImpl& base, double beta) const override;
  void shift_field(const torch::Tensor& delta) override;

  torch::Tensor field;  // theta

 protected:
  // blank() with its field set to `value` (shaped like field): what the fits return.
  LayerPtr with_field(const torch::Tensor& value) const;
};

}  // namespace ebm
