#include "trainers/contrastive.h"

#include <torch/torch.h>

namespace ebm::trainers {

ContrastiveObjective::ContrastiveObjective(std::shared_ptr<samplers::Sampler> sampler,
                                           std::shared_ptr<samplers::ChainSource> source,
                                           ContrastiveOptions options)
    : sampler_(std::move(sampler)), source_(std::move(source)), options_(options) {}

LossTerms ContrastiveObjective::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  // The positive phase first: a model may reuse its work when chains start at the data (CD).
  auto energy_pos = model.energy(batch).mean();
  auto negatives = sampler_->run(model, source_->start(batch), options_.sampler_steps());
  source_->finish(negatives);
  auto energy_neg = model.energy(negatives.to(batch.dtype())).mean();
  return {energy_pos - energy_neg, {{"energy_pos", energy_pos}, {"energy_neg", energy_neg}}};
}

}  // namespace ebm::trainers
