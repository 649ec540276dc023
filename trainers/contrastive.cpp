#include "trainers/contrastive.h"

#include <torch/torch.h>

namespace ebm::trainers {

ContrastiveObjective::ContrastiveObjective(std::shared_ptr<samplers::Sampler> sampler,
                                           std::shared_ptr<samplers::ChainSource> source,
                                           ContrastiveOptions options)
    : sampler_(std::move(sampler)), source_(std::move(source)), options_(options) {}

LossTerms ContrastiveObjective::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  // Both phases in one call after sampling: a model may share work between them (the RBM
  // reuses c + v W of the data, where chains start, and sums its gradient in one buffer).
  auto negatives = sampler_->run(model, source_->start(batch), options_.sampler_steps());
  source_->finish(negatives);
  const auto phases = model.energies({batch, negatives.to(batch.dtype())});
  const auto &energies_pos = phases[0], &energies_neg = phases[1];
  auto energy_pos = energies_pos.mean(), energy_neg = energies_neg.mean();
  LossTerms result{energy_pos - energy_neg, {{"energy_pos", energy_pos}, {"energy_neg", energy_neg}}};
  result.energies = {energies_pos, energies_neg};
  if (options_.energy_l2() > 0) {
    auto penalty = options_.energy_l2() * (energies_pos.pow(2).mean() + energies_neg.pow(2).mean());
    result.loss = result.loss + penalty;
    result.terms.emplace_back("energy_l2", penalty);
  }
  for (const auto& [name, value] : sampler_->statistics()) result.terms.emplace_back(name, value);
  return result;
}

void ContrastiveObjective::save(torch::serialize::OutputArchive& archive) const {
  source_->save(archive);
  sampler_->save(archive);
}

void ContrastiveObjective::load(torch::serialize::InputArchive& archive) {
  source_->load(archive);
  sampler_->load(archive);
}

}  // namespace ebm::trainers
