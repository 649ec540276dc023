#include "ebm/layers/layer.h"

#include <torch/torch.h>

namespace ebm {

torch::Tensor inverse_temperature(const torch::Tensor& beta, const torch::Tensor& like, int64_t trailing) {
  if (!beta.defined()) return torch::ones({}, like.options());
  auto b = beta.to(like.options());
  if (b.dim() == 0) return b;
  std::vector<int64_t> shape = {-1};
  shape.insert(shape.end(), static_cast<size_t>(trailing), 1);
  return b.view(shape);
}

}  // namespace ebm
