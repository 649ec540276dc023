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

torch::Tensor EnumeratedLayer::states_at(const torch::Tensor& indices) const {
  const int64_t s = unit_states.size(0);
  auto digits = torch::empty({indices.size(0), units}, indices.options());
  auto rest = indices.clone();
  for (int64_t i = 0; i < units; ++i) {
    digits.select(1, i).copy_(rest.remainder(s));
    rest = rest.div(s, "floor");
  }
  return unit_states.index_select(0, digits.flatten().to(unit_states.device())).view({indices.size(0), -1});
}

torch::Tensor EnumeratedLayer::states(int64_t first, int64_t last) const {
  return states_at(torch::arange(first, last, torch::TensorOptions().dtype(torch::kInt64).device(unit_states.device())));
}

namespace {

// The joint states of `units` units of S states each, or -1 beyond 2^kMaxEnumeratedUnits.
int64_t joint_count(int64_t states, int64_t units) {
  int64_t count = 1;
  for (int64_t i = 0; i < units; ++i) {
    count *= states;
    if (count > (int64_t{1} << kMaxEnumeratedUnits)) return -1;
  }
  return count;
}

struct Side {
  std::optional<torch::Tensor> unit_states;
  int64_t units = 0, count = -1;
};

Side side_of(std::optional<torch::Tensor> unit_states, int64_t columns) {
  Side side{std::move(unit_states)};
  if (!side.unit_states) return side;
  side.units = columns / side.unit_states->size(1);
  side.count = joint_count(side.unit_states->size(0), side.units);
  return side;
}

Side hidden_side(const LatentVariableModel& model) {
  auto states = model.hidden_unit_states();
  return side_of(states, states ? model.num_hidden() * states->size(1) : 0);
}

}  // namespace

bool is_enumerable(const LatentVariableModel& model) {
  return hidden_side(model).count > 0 || side_of(model.unit_states(), model.dim()).count > 0;
}

EnumeratedLayer enumerated_layer(const LatentVariableModel& model, torch::Dtype dtype, const std::string& what) {
  const auto hidden = hidden_side(model), visible = side_of(model.unit_states(), model.dim());
  if (hidden.count < 0 && visible.count < 0) {
    throw std::invalid_argument(what + " needs a layer with at most 2^" + std::to_string(kMaxEnumeratedUnits) +
                                " states (24 binary units), and '" + model.type_name() + "' has none");
  }
  const bool over_hidden = hidden.count > 0 && (visible.count < 0 || hidden.count <= visible.count);
  const auto& side = over_hidden ? hidden : visible;
  const auto parameters = model.parameters();
  const auto device = parameters.empty() ? torch::kCPU : parameters[0].device();
  return {over_hidden, side.unit_states->to(torch::TensorOptions().dtype(dtype).device(device)), side.units, side.count};
}

namespace {

// -F of every state of the enumerated layer, by chunks of 2^16 states (memory stays flat);
// `each` receives each chunk's [chunk] values.
template <class Each>
void for_each_chunk(LatentVariableModel& model, const EnumeratedLayer& layer, Each&& each) {
  const int64_t chunk = int64_t{1} << 16;
  for (int64_t start = 0; start < layer.count; start += chunk) {
    auto block = layer.states(start, std::min(layer.count, start + chunk));
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
  const auto drawn = layer.states_at(torch::multinomial(torch::exp(log_p - log_p.max()), n, /*replacement=*/true));
  return layer.over_hidden ? model.sample_visible(drawn) : drawn;
}

double exact_log_partition(LatentVariableModel& model) {
  torch::NoGradGuard no_grad;
  return log_partition(model, torch::kFloat64).item<double>();
}

namespace {

// Every visible state of a model whose units have finitely many states and at most
// 2^kMaxEnumeratedUnits joint states; std::invalid_argument naming `what` otherwise.
EnumeratedLayer visible_states(const EnergyModelImpl& model, torch::Dtype dtype, const std::string& what) {
  const auto side = side_of(model.unit_states(), model.dim());
  if (side.count < 0) {
    throw std::invalid_argument(what + " needs a model whose units have finitely many states, at most 2^" +
                                std::to_string(kMaxEnumeratedUnits) + " joint states (24 binary units), not '" +
                                model.type_name() + "' of " + std::to_string(model.dim()) + " columns");
  }
  const auto parameters = model.parameters();
  const auto device = parameters.empty() ? torch::kCPU : parameters[0].device();
  return {false, side.unit_states->to(torch::TensorOptions().dtype(dtype).device(device)), side.units, side.count};
}

}  // namespace

bool has_enumerable_states(const EnergyModelImpl& model) { return side_of(model.unit_states(), model.dim()).count > 0; }

torch::Tensor visible_log_probabilities(EnergyModelImpl& model) {
  torch::NoGradGuard no_grad;
  const auto layer = visible_states(model, torch::kFloat64, "the exact distribution over visible states");
  auto neg_f = -model.energy(layer.states(0, layer.count));
  return neg_f - torch::logsumexp(neg_f, 0);
}

torch::Tensor visible_log_partition(EnergyModelImpl& model, torch::Dtype dtype) {
  const auto layer = visible_states(model, dtype, "log Z by enumeration");
  const int64_t chunk = int64_t{1} << 16;
  std::vector<torch::Tensor> partial;
  for (int64_t start = 0; start < layer.count; start += chunk) {
    partial.push_back(torch::logsumexp(-model.energy(layer.states(start, std::min(layer.count, start + chunk))), 0, true));
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
