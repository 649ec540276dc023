// Contrastive objective (Hinton 2002; Tieleman 2008): the surrogate loss
//   L = mean_i E(x+_i) - mean_j E(x-_j) [+ α (mean E(x+)² + mean E(x-)²)],
//   x- = K^k(x0) detached, x0 from a ChainSource,
// whose gradient is the negative of the positive phase -E_data[dE/dθ] plus the sampled
// negative phase E_model[dE/dθ]. CD-k, PCD-k and (later) short-run and replay-buffer training
// differ only in the chain source and the sampler K. The sampler's statistics (acceptance and
// swap rates) are returned beside the loss terms, so the trainer logs them.
#pragma once

#include <memory>

#include "samplers/chain_source.h"
#include "samplers/sampler.h"
#include "trainers/objective.h"

namespace ebm::trainers {

struct ContrastiveOptions {
  // Sampler transitions per training step (the k of CD-k).
  TORCH_ARG(int64_t, sampler_steps) = 1;
  // α of the energy-magnitude penalty α (mean E(x+)² + mean E(x-)²) (Du & Mordatch 2019), which
  // keeps energies near zero where the contrastive loss alone lets them drift; 0 = off.
  TORCH_ARG(double, energy_l2) = 0;
};

class ContrastiveObjective : public Objective {
 public:
  ContrastiveObjective(std::shared_ptr<samplers::Sampler> sampler,
                       std::shared_ptr<samplers::ChainSource> source,
                       ContrastiveOptions options = {});
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override;
  void check_model(const EnergyModelImpl& model) const override { sampler_->check_model(model); }
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  std::string name() const override { return "contrastive"; }
  // Where its chains start (persistent chains live there between steps).
  const samplers::ChainSource& chain_source() const { return *source_; }

 private:
  std::shared_ptr<samplers::Sampler> sampler_;
  std::shared_ptr<samplers::ChainSource> source_;
  ContrastiveOptions options_;
};

}  // namespace ebm::trainers
