// ChainSource: where the negative-phase chains of a contrastive objective start.
//   data        chains restart at the data batch every step: CD-k (Hinton 2002);
//   persistent  chains continue from where the last update left them: PCD (Tieleman 2008);
//   noise       chains restart from noise every step: short-run MCMC (Nijkamp et al. 2019);
//   replay      chains start from a buffer of past negatives, each reinitialised from noise
//               with probability p, and go back into it (Du & Mordatch 2019; Grathwohl et al. 2020).
// Persistent state (chains, buffer) is saved in checkpoints so a resumed run continues exactly.
#pragma once

#include <torch/serialize/archive.h>

#include <string>

namespace ebm::samplers {

class ChainSource {
 public:
  virtual ~ChainSource() = default;
  // Initial chain states for this step, given the positive (data) batch.
  virtual torch::Tensor start(const torch::Tensor& data_batch) = 0;
  // The chains after the sampler ran; persistent sources keep them.
  virtual void finish(const torch::Tensor& chains) {}
  virtual void save(torch::serialize::OutputArchive& archive) const {}
  virtual void load(torch::serialize::InputArchive& archive) {}
  virtual std::string name() const = 0;
};

class DataChainSource : public ChainSource {
 public:
  torch::Tensor start(const torch::Tensor& data_batch) override { return data_batch; }
  std::string name() const override { return "data"; }
};

class PersistentChainSource : public ChainSource {
 public:
  // `num_chains` = 0 uses the batch size of the first call. Chains start at random data rows.
  explicit PersistentChainSource(int64_t num_chains = 0) : num_chains_(num_chains) {}
  torch::Tensor start(const torch::Tensor& data_batch) override;
  void finish(const torch::Tensor& chains) override { chains_ = chains.detach(); }
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  std::string name() const override { return "persistent"; }
  const torch::Tensor& chains() const { return chains_; }

 private:
  int64_t num_chains_;
  torch::Tensor chains_;
};

// Noise: uniform on the box [low, high] (per dimension) for continuous data, fair coin flips
// for binary data.
class NoiseChainSource : public ChainSource {
 public:
  // `num_chains` = 0 uses the batch size.
  NoiseChainSource(torch::Tensor low, torch::Tensor high, bool binary, int64_t num_chains = 0);
  // The box of `data` widened by `margin` times its extent on each side.
  static NoiseChainSource around(const torch::Tensor& data, bool binary, int64_t num_chains = 0, double margin = 0.1);
  torch::Tensor start(const torch::Tensor& data_batch) override;
  // n noise states in the options (dtype, device) of `like`.
  torch::Tensor draw(int64_t n, const torch::Tensor& like) const;
  std::string name() const override { return "noise"; }

 private:
  torch::Tensor low_, high_;
  bool binary_;
  int64_t num_chains_;
};

class ReplayBufferSource : public ChainSource {
 public:
  ReplayBufferSource(NoiseChainSource noise, int64_t capacity, double reinit_prob, int64_t num_chains = 0);
  torch::Tensor start(const torch::Tensor& data_batch) override;
  void finish(const torch::Tensor& chains) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  std::string name() const override { return "replay"; }
  const torch::Tensor& buffer() const { return buffer_; }

 private:
  NoiseChainSource noise_;
  int64_t capacity_;
  double reinit_prob_;
  int64_t num_chains_;
  torch::Tensor buffer_, slots_;  // slots_: the buffer rows handed out by the last start()
};

}  // namespace ebm::samplers
