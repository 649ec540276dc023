#include "datasets/bars_and_stripes.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ebm::datasets {

namespace {
// q^n, or -1 beyond 2^20 (the largest data set built here).
int64_t images_per_family(int64_t n, int64_t q) {
  int64_t count = 1;
  for (int64_t i = 0; i < n; ++i) {
    count *= q;
    if (count > (int64_t{1} << 20)) return -1;
  }
  return count;
}
}  // namespace

Dataset bars_and_stripes(int64_t n, int64_t colours) {
  if (n < 1 || n > 12) throw std::invalid_argument("bars_and_stripes size must be in [1, 12]");
  const int64_t per_family = images_per_family(n, colours);
  if (colours < 2 || per_family < 0) {
    throw std::invalid_argument("bars_and_stripes: " + std::to_string(colours) + " colours on a side of " + std::to_string(n) +
                                " is not 2 to 2^20 images per family");
  }
  const bool one_hot = colours > 2;
  const int64_t width = one_hot ? colours : 1;
  auto data = torch::zeros({2 * per_family, n * n * width});
  auto a = data.accessor<float, 2>();
  for (int64_t code = 0; code < per_family; ++code) {
    // Line i's colour is digit i of code in base q.
    std::vector<int64_t> colour(static_cast<size_t>(n));
    for (int64_t i = 0, rest = code; i < n; ++i, rest /= colours) colour[static_cast<size_t>(i)] = rest % colours;
    for (int64_t r = 0; r < n; ++r) {
      for (int64_t c = 0; c < n; ++c) {
        const int64_t pixel = (r * n + c) * width;
        const auto stripe = colour[static_cast<size_t>(r)], bar = colour[static_cast<size_t>(c)];
        if (one_hot) {
          a[code][pixel + stripe] = 1;               // stripes: rows
          a[per_family + code][pixel + bar] = 1;     // bars: columns
        } else {
          a[code][pixel] = static_cast<float>(stripe);
          a[per_family + code][pixel] = static_cast<float>(bar);
        }
      }
    }
  }
  return Dataset(data, "bars_and_stripes_" + std::to_string(n) + (one_hot ? "_" + std::to_string(colours) + "_colours" : ""));
}

double bars_and_stripes_optimal_log_likelihood(int64_t n, int64_t colours) {
  const double total = 2 * std::pow(static_cast<double>(colours), static_cast<double>(n));
  const double shared = 2.0 * static_cast<double>(colours);
  return -((total - shared) * std::log(total) + shared * std::log(total / 2)) / total;
}

}  // namespace ebm::datasets
