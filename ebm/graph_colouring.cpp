#include "ebm/graph_colouring.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <vector>

namespace ebm {

torch::Tensor greedy_colouring(const torch::Tensor& edges, int64_t vertices) {
  const auto e = edges.to(torch::kCPU).contiguous();
  const auto* pairs = e.data_ptr<int64_t>();
  std::vector<std::vector<int64_t>> neighbours(static_cast<size_t>(vertices));
  for (int64_t k = 0; k < e.size(0); ++k) {
    neighbours[pairs[2 * k]].push_back(pairs[2 * k + 1]);
    neighbours[pairs[2 * k + 1]].push_back(pairs[2 * k]);
  }
  std::vector<int64_t> order(static_cast<size_t>(vertices));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return neighbours[a].size() > neighbours[b].size(); });
  std::vector<int64_t> colour(static_cast<size_t>(vertices), -1);
  std::vector<char> taken;
  for (const int64_t v : order) {
    taken.assign(neighbours[v].size() + 1, 0);
    for (const int64_t u : neighbours[v]) {
      if (colour[u] >= 0 && colour[u] < static_cast<int64_t>(taken.size())) taken[colour[u]] = 1;
    }
    colour[v] = std::find(taken.begin(), taken.end(), 0) - taken.begin();
  }
  return torch::tensor(colour, torch::kLong);
}

}  // namespace ebm
