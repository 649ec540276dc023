// ChainSource: where the negative-phase chains of a contrastive objective start.
//   data        chains restart at the data batch every step: CD-k (Hinton 2002);
//   persistent  chains continue from where the last update left them: PCD (Tieleman 2008).
// Persistent state is saved in checkpoints so a resumed run continues exactly.
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

}  // namespace ebm::samplers
