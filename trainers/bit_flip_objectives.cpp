#include "trainers/bit_flip_objectives.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm::trainers {

torch::Tensor unit_change_differences(EnergyModelImpl& model, const torch::Tensor& x) {
  const auto states = model.unit_states();
  if (!states) throw std::invalid_argument("'" + model.type_name() + "' has units without finitely many states to change between");
  const auto unit = states->to(x.options());  // [S, c]
  const int64_t s = unit.size(0), c = unit.size(1), b = x.size(0), u = x.size(1) / c;
  // Each unit's state number (the nearest of its states), then its S - 1 others.
  const auto current = (x.reshape({b, u, 1, c}) - unit.view({1, 1, s, c})).pow(2).sum(-1).argmin(-1);  // [B, U]
  const auto others = (current.unsqueeze(-1) + torch::arange(1, s, current.options())).remainder(s);  // [B, U, S-1]
  const auto replacement = unit.index_select(0, others.flatten()).view({b, u, s - 1, 1, c});
  // Row (n, i, k) of the changed batch is example n with unit i in its k-th other state.
  const auto own = torch::eye(u, x.options()).view({1, u, 1, u, 1});
  const auto changed = x.reshape({b, 1, 1, u, c}) * (1 - own) + own * replacement;  // [B, U, S-1, U, c]
  return model.energy(x).view({b, 1, 1}) - model.energy(changed.reshape({b * u * (s - 1), u * c})).view({b, u, s - 1});
}

torch::Tensor pseudo_negative_log_likelihood(EnergyModelImpl& model, const torch::Tensor& x) {
  return torch::softplus(torch::logsumexp(unit_change_differences(model, x), -1)).sum(1);
}

BitFlipObjective::BitFlipObjective(std::string kind) : kind_(std::move(kind)) {
  if (kind_ != "pseudo_likelihood" && kind_ != "ratio_matching" && kind_ != "mpf") {
    throw std::invalid_argument("unknown bit-flip objective '" + kind_ + "'");
  }
}

LossTerms BitFlipObjective::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  if (kind_ == "pseudo_likelihood") {
    const auto loss = pseudo_negative_log_likelihood(model, batch).mean();
    return {loss, {{kind_, loss}}};
  }
  const auto changes = unit_change_differences(model, batch);
  torch::Tensor loss;
  if (changes.size(2) != 1) {
    throw std::invalid_argument(kind_ + " needs units of two states; '" + model.type_name() + "' has units of " +
                                std::to_string(changes.size(2) + 1));
  }
  const auto delta = changes.squeeze(2);
  if (kind_ == "ratio_matching") {
    loss = torch::sigmoid(delta).pow(2).sum(1).mean();
  } else {
    loss = torch::exp(0.5 * delta).sum(1).mean();
  }
  return {loss, {{kind_, loss}}};
}

}  // namespace ebm::trainers
