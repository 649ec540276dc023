#include "datasets/preprocess.h"

#include <torch/torch.h>

#include <stdexcept>

#include "io/input_error.h"

namespace ebm::datasets {

const std::vector<std::string>& binarization_names() {
  static const std::vector<std::string> names = {"none", "threshold", "stochastic"};
  return names;
}

Binarization binarization(const std::string& name) {
  if (name == "none") return Binarization::None;
  if (name == "threshold") return Binarization::Threshold;
  if (name == "stochastic") return Binarization::Stochastic;
  throw std::invalid_argument("unknown binarization '" + name + "'");
}

torch::Tensor scale_to_unit(const torch::Tensor& x, bool bytes, const torch::Tensor& reference) {
  if (bytes) return x / 255.0;
  const double lo = reference.min().item<double>(), hi = reference.max().item<double>();
  return hi > lo ? (x - lo) / (hi - lo) : x - lo;
}

torch::Tensor binarize(const torch::Tensor& x, Binarization how, double threshold, const std::string& what) {
  if (how == Binarization::None) return x;
  const auto outside = (x < 0) | (x > 1);
  if (outside.any().item<bool>()) {
    const auto where = torch::nonzero(outside)[0];
    const int64_t row = where[0].item<int64_t>(), column = where[1].item<int64_t>();
    throw io::InputError(what + ": binarising needs values in [0, 1], but row " + std::to_string(row) + ", column " +
                         std::to_string(column) + " (from 0) is " + std::to_string(x[row][column].item<double>()) +
                         " (data.scale: true maps the data to [0, 1])");
  }
  if (how == Binarization::Threshold) return (x > threshold).to(x.dtype());
  return torch::bernoulli(x);
}

std::pair<torch::Tensor, torch::Tensor> split_held_out(const torch::Tensor& rows, int64_t count, const std::string& what) {
  if (count == 0) return {rows, torch::Tensor()};
  if (count >= rows.size(0)) {
    throw io::InputError(what + ": holding out " + std::to_string(count) + " rows leaves none of its " +
                         std::to_string(rows.size(0)) + " to train on");
  }
  const auto order = torch::randperm(rows.size(0), torch::kLong);
  // Each part keeps the file's order.
  const auto in_order = [&](const torch::Tensor& picked) { return rows.index_select(0, std::get<0>(picked.sort())); };
  return {in_order(order.slice(0, count)), in_order(order.slice(0, 0, count))};
}

}  // namespace ebm::datasets
