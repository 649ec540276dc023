#include "trainers/bit_flip_objectives.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm::trainers {

torch::Tensor flip_energy_differences(EnergyModelImpl& model, const torch::Tensor& x) {
  const int64_t b = x.size(0), d = x.size(1);
  // Row (n, i) of the flipped batch is example n with unit i flipped: x + (1 - 2x) ⊙ e_i.
  auto eye = torch::eye(d, x.options());
  auto flipped = (x.unsqueeze(1) + (1 - 2 * x).unsqueeze(1) * eye.unsqueeze(0)).reshape({b * d, d});
  return model.energy(x).unsqueeze(1) - model.energy(flipped).view({b, d});
}

BitFlipObjective::BitFlipObjective(std::string kind) : kind_(std::move(kind)) {
  if (kind_ != "pseudo_likelihood" && kind_ != "ratio_matching" && kind_ != "mpf") {
    throw std::invalid_argument("unknown bit-flip objective '" + kind_ + "'");
  }
}

LossTerms BitFlipObjective::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  auto delta = flip_energy_differences(model, batch);
  torch::Tensor loss;
  if (kind_ == "pseudo_likelihood") {
    loss = torch::softplus(delta).sum(1).mean();
  } else if (kind_ == "ratio_matching") {
    loss = torch::sigmoid(delta).pow(2).sum(1).mean();
  } else {
    loss = torch::exp(0.5 * delta).sum(1).mean();
  }
  return {loss, {{kind_, loss}}};
}

}  // namespace ebm::trainers
