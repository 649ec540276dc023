// Units whose potential is linear in their state, E(x) = -theta . x (binary, spin and Potts
// units, whose states differ): the fields and the energy they share. A state's columns follow
// the fields flattened (q per unit for one-hot units).
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

  torch::Tensor field;  // theta
};

}  // namespace ebm
