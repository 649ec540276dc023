// Dataset: an in-memory matrix of examples (one per row), and a BatchIterator that visits them
// in a fresh random order each epoch (sampling without replacement), drawing its permutations
// from the global generator so the config seed fixes the order (or from a generator of its own,
// which a data-parallel job's ranks share while each samples from its own stream). Its position
// is checkpointed, with that generator's state.
// A dataset may carry held-out rows (synthetic data draws a test set beside the training set).
#pragma once

#include <ATen/core/Generator.h>
#include <torch/serialize/archive.h>

#include <string>

namespace ebm::datasets {

class Dataset {
 public:
  // `held_out` (optional, same width): rows never trained on, which evaluators score instead.
  Dataset(torch::Tensor data, std::string name, torch::Tensor held_out = {});
  const torch::Tensor& data() const { return data_; }
  // What evaluators see: the held-out rows when there are any, else the training rows.
  Dataset evaluation_split() const;
  bool has_held_out() const { return held_out_.defined(); }
  int64_t size() const { return data_.size(0); }
  int64_t dim() const { return data_.size(1); }
  // Every entry is 0 or 1.
  bool is_binary() const { return binary_; }
  const std::string& name() const { return name_; }
  Dataset to(torch::Device device, torch::Dtype dtype) const;

 private:
  torch::Tensor data_, held_out_;
  std::string name_;
  bool binary_;
};

class BatchIterator {
 public:
  BatchIterator(const Dataset& dataset, int64_t batch_size);
  // The next batch [batch_size, dim]; a batch never straddles two epochs.
  torch::Tensor next();
  // Draws the permutations from `generator` (a CPU generator) instead of the global one.
  void use_generator(at::Generator generator) { generator_ = std::move(generator); }
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  Dataset dataset_;
  int64_t batch_size_;
  torch::Tensor order_;
  int64_t position_ = 0;
  mutable at::Generator generator_;  // undefined: the global one (mutable: saving locks it)
};

}  // namespace ebm::datasets
