#include "trainers/contrastive.h"

#include <torch/torch.h>

namespace ebm::trainers {

ContrastiveObjective::ContrastiveObjective(std::shared_ptr<samplers::Sampler> sampler,
                                           std::shared_ptr<samplers::ChainSource> source,
                                           ContrastiveOptions options)
    : sampler_(std::move(sampler)), source_(std::move(source)), options_(options) {}

LossTerms ContrastiveObjective::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  auto negatives = sampler_->run(model, source_->start(batch), options_.sampler_steps());
  source_->finish(negatives);
  // One forward pass over both phases: larger matrix products, one graph.
  const int64_t n = batch.size(0);
  auto energies = model.energy(torch::cat({batch, negatives.to(batch.dtype())}));
  auto energy_pos = energies.slice(0, 0, n).mean();
  auto energy_neg = energies.slice(0, n).mean();
  return {energy_pos - energy_neg, {{"energy_pos", energy_pos}, {"energy_neg", energy_neg}}};
}

}  // namespace ebm::trainers
