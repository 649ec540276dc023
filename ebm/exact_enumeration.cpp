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

double exact_log_partition(LatentVariableModel& model) {
  if (!is_enumerable(model)) {
    throw std::invalid_argument("exact log Z needs a layer of at most " +
                                std::to_string(kMaxEnumeratedUnits) + " binary units");
  }
  torch::NoGradGuard no_grad;
  bool over_hidden = model.domain() != Domain::Binary || model.num_hidden() <= model.dim();
  int64_t n = over_hidden ? model.num_hidden() : model.dim();
  auto device = model.parameters().empty() ? torch::kCPU : model.parameters()[0].device();
  auto options = torch::TensorOptions().dtype(torch::kFloat64).device(device);
  // Chunks of 2^16 states keep memory flat; a running logsumexp combines them.
  const int64_t total = int64_t{1} << n, chunk = int64_t{1} << 16;
  std::vector<torch::Tensor> partial;
  for (int64_t start = 0; start < total; start += chunk) {
    auto block = binary_states(n, start, std::min(total, start + chunk), options);
    auto neg_f = over_hidden ? -model.hidden_free_energy(block) : -model.energy(block);
    partial.push_back(torch::logsumexp(neg_f, 0, /*keepdim=*/true));
  }
  return torch::logsumexp(torch::cat(partial), 0).item<double>();
}

double mean_log_likelihood(EnergyModelImpl& model, const torch::Tensor& data, double log_partition) {
  torch::NoGradGuard no_grad;
  auto free_energy = model.energy(data.to(torch::kFloat64));
  return -free_energy.mean().item<double>() - log_partition;
}

}  // namespace ebm
