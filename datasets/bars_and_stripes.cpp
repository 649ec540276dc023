#include "datasets/bars_and_stripes.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ebm::datasets {

Dataset bars_and_stripes(int64_t n) {
  if (n < 1 || n > 12) throw std::invalid_argument("bars_and_stripes size must be in [1, 12]");
  const int64_t per_family = int64_t{1} << n;
  auto data = torch::zeros({2 * per_family, n * n});
  auto a = data.accessor<float, 2>();
  for (int64_t code = 0; code < per_family; ++code) {
    for (int64_t r = 0; r < n; ++r) {
      for (int64_t c = 0; c < n; ++c) {
        a[code][r * n + c] = static_cast<float>((code >> r) & 1);               // stripes: rows
        a[per_family + code][r * n + c] = static_cast<float>((code >> c) & 1);  // bars: columns
      }
    }
  }
  return Dataset(data, "bars_and_stripes_" + std::to_string(n));
}

double bars_and_stripes_optimal_log_likelihood(int64_t n) {
  const double total = std::ldexp(1.0, static_cast<int>(n + 1));
  return -((total - 4) * std::log(total) + 4 * std::log(total / 2)) / total;
}

}  // namespace ebm::datasets
