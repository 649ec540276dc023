#include "samplers/chain_source.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm::samplers {

torch::Tensor PersistentChainSource::start(const torch::Tensor& data_batch) {
  if (!chains_.defined()) {
    int64_t n = num_chains_ > 0 ? num_chains_ : data_batch.size(0);
    auto rows = torch::randint(data_batch.size(0), {n},
                               torch::TensorOptions().dtype(torch::kLong).device(data_batch.device()));
    chains_ = data_batch.index_select(0, rows).clone();
  }
  return chains_;
}

void PersistentChainSource::save(torch::serialize::OutputArchive& archive) const {
  if (chains_.defined()) archive.write("persistent_chains", chains_, /*is_buffer=*/true);
}

void PersistentChainSource::load(torch::serialize::InputArchive& archive) {
  torch::Tensor chains;
  if (archive.try_read("persistent_chains", chains, /*is_buffer=*/true)) chains_ = chains;
}

NoiseChainSource::NoiseChainSource(torch::Tensor low, torch::Tensor high, bool binary, int64_t num_chains)
    : low_(std::move(low)), high_(std::move(high)), binary_(binary), num_chains_(num_chains) {}

NoiseChainSource NoiseChainSource::around(const torch::Tensor& data, bool binary, int64_t num_chains, double margin) {
  auto low = std::get<0>(data.min(0)), high = std::get<0>(data.max(0));
  auto extent = high - low;
  return NoiseChainSource(low - margin * extent, high + margin * extent, binary, num_chains);
}

torch::Tensor NoiseChainSource::draw(int64_t n, const torch::Tensor& like) const {
  if (binary_) return torch::bernoulli(torch::full({n, like.size(1)}, 0.5, like.options()));
  auto low = low_.to(like.options()), high = high_.to(like.options());
  return low + (high - low) * torch::rand({n, like.size(1)}, like.options());
}

torch::Tensor NoiseChainSource::start(const torch::Tensor& data_batch) {
  return draw(num_chains_ > 0 ? num_chains_ : data_batch.size(0), data_batch);
}

ReplayBufferSource::ReplayBufferSource(NoiseChainSource noise, int64_t capacity, double reinit_prob, int64_t num_chains)
    : noise_(std::move(noise)), capacity_(capacity), reinit_prob_(reinit_prob), num_chains_(num_chains) {
  if (capacity < 1) throw std::invalid_argument("a replay buffer needs a positive capacity");
  if (!(reinit_prob >= 0 && reinit_prob <= 1)) throw std::invalid_argument("reinit_prob must be in [0, 1]");
}

torch::Tensor ReplayBufferSource::start(const torch::Tensor& data_batch) {
  const int64_t n = std::min(num_chains_ > 0 ? num_chains_ : data_batch.size(0), capacity_);
  if (!buffer_.defined()) buffer_ = noise_.draw(capacity_, data_batch);
  auto long_options = torch::TensorOptions().dtype(torch::kLong).device(buffer_.device());
  slots_ = torch::randperm(capacity_, long_options).slice(0, 0, n);
  auto chains = buffer_.index_select(0, slots_).to(data_batch.dtype());
  auto fresh = torch::rand({n, 1}, data_batch.options()) < reinit_prob_;
  return torch::where(fresh, noise_.draw(n, data_batch), chains);
}

void ReplayBufferSource::finish(const torch::Tensor& chains) {
  buffer_.index_copy_(0, slots_, chains.detach().to(buffer_.dtype()));
}

void ReplayBufferSource::save(torch::serialize::OutputArchive& archive) const {
  if (buffer_.defined()) archive.write("replay_buffer", buffer_, /*is_buffer=*/true);
}

void ReplayBufferSource::load(torch::serialize::InputArchive& archive) {
  torch::Tensor buffer;
  if (!archive.try_read("replay_buffer", buffer, /*is_buffer=*/true)) return;
  if (buffer.size(0) != capacity_) {
    throw std::invalid_argument("the checkpoint's replay buffer holds " + std::to_string(buffer.size(0)) +
                                " states; the config asks for " + std::to_string(capacity_));
  }
  buffer_ = buffer;
}

}  // namespace ebm::samplers
