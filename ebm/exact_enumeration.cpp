#include "ebm/exact_enumeration.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm {

torch::Tensor binary_states(int64_t n, int64_t first, int64_t last, torch::TensorOptions options) {
  TORCH_CHECK(n >= 0 && n <= kMaxEnumeratedUnits, "cannot enumerate ", n, " binary units");
  auto rows = torch::arange(first, last, torch::kInt64).unsqueeze(1);
  auto bits = torch::arange(n, torch::kInt64).unsqueeze(0);
  return rows.bitwise_right_shift(bits).bitwise_and(1).to(options);
}

bool is_enumerable(const LatentVariableModel& model) {
  bool by_hidden = model.num_hidden() <= kMaxEnumeratedUnits;
  bool by_visible = model.domain() == Domain::Binary && model.dim() <= kMaxEnumeratedUnits;
  return by_hidden || by_visible;
}

namespace {

// The smaller binary layer that enumeration runs over.
struct Enumerated {
  bool over_hidden;
  int64_t units;
  torch::TensorOptions options;
};

Enumerated enumerated_layer(LatentVariableModel& model, torch::Dtype dtype, const char* what) {
  if (!is_enumerable(model)) {
    throw std::invalid_argument(std::string(what) + " needs a layer of at most " + std::to_string(kMaxEnumeratedUnits) +
                                " binary units");
  }
  const bool over_hidden = model.domain() != Domain::Binary || model.num_hidden() <= model.dim();
  auto device = model.parameters().empty() ? torch::kCPU : model.parameters()[0].device();
  return {over_hidden, over_hidden ? model.num_hidden() : model.dim(), torch::TensorOptions().dtype(dtype).device(device)};
}

// -F of every state of the enumerated layer, by chunks of 2^16 states (memory stays flat);
// `each` receives each chunk's [chunk] values.
template <class Each>
void for_each_chunk(LatentVariableModel& model, const Enumerated& layer, Each&& each) {
  const int64_t total = int64_t{1} << layer.units, chunk = int64_t{1} << 16;
  for (int64_t start = 0; start < total; start += chunk) {
    auto block = binary_states(layer.units, start, std::min(total, start + chunk), layer.options);
    each(layer.over_hidden ? -model.hidden_free_energy(block) : -model.energy(block));
  }
}

}  // namespace

torch::Tensor log_partition(LatentVariableModel& model, torch::Dtype dtype) {
  const auto layer = enumerated_layer(model, dtype, "exact log Z");
  // A logsumexp of the chunks' logsumexps.
  std::vector<torch::Tensor> partial;
  for_each_chunk(model, layer, [&](const torch::Tensor& neg_f) { partial.push_back(torch::logsumexp(neg_f, 0, true)); });
  return torch::logsumexp(torch::cat(partial), 0);
}

torch::Tensor exact_samples(LatentVariableModel& model, int64_t n) {
  torch::NoGradGuard no_grad;
  const auto layer = enumerated_layer(model, torch::kFloat64, "exact sampling");
  std::vector<torch::Tensor> chunks;
  for_each_chunk(model, layer, [&](const torch::Tensor& neg_f) { chunks.push_back(neg_f); });
  const auto log_p = torch::cat(chunks);
  const auto index = torch::multinomial(torch::exp(log_p - log_p.max()), n, /*replacement=*/true);
  auto bits = torch::arange(layer.units, torch::TensorOptions().dtype(torch::kInt64).device(index.device()));
  auto drawn = index.unsqueeze(1).bitwise_right_shift(bits.unsqueeze(0)).bitwise_and(1).to(layer.options);
  return layer.over_hidden ? model.sample_visible(drawn) : drawn;
}

double exact_log_partition(LatentVariableModel& model) {
  torch::NoGradGuard no_grad;
  return log_partition(model, torch::kFloat64).item<double>();
}

torch::Tensor visible_log_probabilities(EnergyModelImpl& model) {
  if (model.domain() != Domain::Binary || model.dim() > kMaxEnumeratedUnits) {
    throw std::invalid_argument("the exact distribution over visible states needs at most " +
                                std::to_string(kMaxEnumeratedUnits) + " binary visible units, not " +
                                std::to_string(model.dim()));
  }
  torch::NoGradGuard no_grad;
  auto device = model.parameters().empty() ? torch::kCPU : model.parameters()[0].device();
  auto states = all_binary_states(model.dim(), torch::TensorOptions().dtype(torch::kFloat64).device(device));
  auto neg_f = -model.energy(states);
  return neg_f - torch::logsumexp(neg_f, 0);
}

torch::Tensor visible_log_partition(EnergyModelImpl& model, torch::Dtype dtype) {
  if (model.domain() != Domain::Binary || model.dim() > kMaxEnumeratedUnits) {
    throw std::invalid_argument("log Z by enumeration needs a binary model of at most " + std::to_string(kMaxEnumeratedUnits) +
                                " units, not '" + model.type_name() + "' of " + std::to_string(model.dim()));
  }
  const auto device = model.parameters().empty() ? torch::kCPU : model.parameters()[0].device();
  const auto options = torch::TensorOptions().dtype(dtype).device(device);
  const int64_t total = int64_t{1} << model.dim(), chunk = int64_t{1} << 16;
  std::vector<torch::Tensor> partial;
  for (int64_t start = 0; start < total; start += chunk) {
    partial.push_back(torch::logsumexp(-model.energy(binary_states(model.dim(), start, std::min(total, start + chunk), options)), 0, true));
  }
  return torch::logsumexp(torch::cat(partial), 0);
}

double binary_log_partition(EnergyModelImpl& model) {
  torch::NoGradGuard no_grad;
  return visible_log_partition(model, torch::kFloat64).item<double>();
}

torch::Tensor state_indices(const torch::Tensor& binary_rows) {
  TORCH_CHECK(binary_rows.dim() == 2 && binary_rows.size(1) <= 62, "state_indices needs [N, V<=62] rows");
  auto powers = torch::pow(2, torch::arange(binary_rows.size(1), torch::kInt64)).to(binary_rows.device());
  return (binary_rows.round().to(torch::kInt64) * powers).sum(1);
}

double mean_log_likelihood(EnergyModelImpl& model, const torch::Tensor& data, double log_partition) {
  torch::NoGradGuard no_grad;
  auto free_energy = model.energy(data.to(torch::kFloat64));
  return -free_energy.mean().item<double>() - log_partition;
}

}  // namespace ebm
