#include "ebm/layers/layer.h"

#include <torch/torch.h>

namespace ebm {

std::string first_bad_row(const torch::Tensor& bad, const std::string& what) {
  const auto rows = bad.nonzero();
  if (rows.size(0) == 0) return "";
  return "row " + std::to_string(rows[0][0].item<int64_t>() + 1) + " " + what;
}

std::string first_non_finite_row(const torch::Tensor& x) {
  return first_bad_row(~torch::isfinite(x).all(1), "has a value that is not finite");
}

torch::Tensor inverse_temperature(const torch::Tensor& beta, const torch::Tensor& like, int64_t trailing) {
  if (!beta.defined()) return torch::ones({}, like.options());
  auto b = beta.to(like.options());
  if (b.dim() == 0) return b;
  std::vector<int64_t> shape = {-1};
  shape.insert(shape.end(), static_cast<size_t>(trailing), 1);
  return b.view(shape);
}

}  // namespace ebm
