// Objective: a scalar loss whose gradient trains an energy model, plus its named terms.
// Terms are logged by name and can be differentiated separately (positive vs negative phase).
#pragma once

#include <torch/serialize/archive.h>

#include <string>
#include <utility>
#include <vector>

#include "ebm/energy_model.h"

namespace ebm::trainers {

struct LossTerms {
  LossTerms(torch::Tensor loss, std::vector<std::pair<std::string, torch::Tensor>> terms,
            std::vector<torch::Tensor> energies = {})
      : loss(std::move(loss)), terms(std::move(terms)), energies(std::move(energies)) {}

  torch::Tensor loss;  // minimised
  // Logged, each a scalar: the loss terms, then any sampler statistics (swap_rate, ...).
  std::vector<std::pair<std::string, torch::Tensor>> terms;
  // The energies the objective computed this step (data, negatives), as it computed them; the
  // divergence guard looks at them at log steps (and evaluates E on the batch when empty).
  std::vector<torch::Tensor> energies;
};

class Objective {
 public:
  virtual ~Objective() = default;
  virtual LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) = 0;
  // Throws std::invalid_argument when the objective's options or the model's sizes do not fit (exact
  // enumeration's size limit). Which model types fit at all is stated once, in the registry
  // (config/registry.h, Accepts), not checked again here.
  virtual void check_model(const EnergyModelImpl& model) const {}
  // Parameters the objective learns beside the model's (NCE's log-normaliser); the optimiser
  // updates them with the model's.
  virtual std::vector<torch::Tensor> parameters() { return {}; }
  // Objective state that a resumed run needs (persistent chains, buffers, its parameters).
  virtual void save(torch::serialize::OutputArchive& archive) const {}
  virtual void load(torch::serialize::InputArchive& archive) {}
  virtual std::string name() const = 0;
};

}  // namespace ebm::trainers
