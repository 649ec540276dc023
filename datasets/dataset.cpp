#include "datasets/dataset.h"

#include <torch/torch.h>

#include <mutex>
#include <stdexcept>

namespace ebm::datasets {

Dataset::Dataset(torch::Tensor data, std::string name, torch::Tensor held_out)
    : data_(std::move(data)), held_out_(std::move(held_out)), name_(std::move(name)) {
  if (data_.dim() != 2 || data_.size(0) == 0) {
    throw std::invalid_argument("dataset '" + name_ + "' must be a non-empty [N, D] matrix");
  }
  if (held_out_.defined() && (held_out_.dim() != 2 || held_out_.size(0) == 0 || held_out_.size(1) != data_.size(1))) {
    throw std::invalid_argument("dataset '" + name_ + "': held-out rows must be a non-empty [M, D] matrix");
  }
  binary_ = ((data_ == 0) | (data_ == 1)).all().item<bool>();
}

Dataset Dataset::evaluation_split() const {
  return held_out_.defined() ? Dataset(held_out_, name_ + " (held out)") : *this;
}

Dataset Dataset::to(torch::Device device, torch::Dtype dtype) const {
  return Dataset(data_.to(device, dtype), name_, held_out_.defined() ? held_out_.to(device, dtype) : torch::Tensor());
}

BatchIterator::BatchIterator(const Dataset& dataset, int64_t batch_size)
    : dataset_(dataset), batch_size_(std::min(batch_size, dataset.size())) {
  if (batch_size <= 0) throw std::invalid_argument("batch size must be positive");
}

torch::Tensor BatchIterator::next() {
  if (!order_.defined() || position_ + batch_size_ > order_.size(0)) {
    order_ = (generator_.defined() ? torch::randperm(dataset_.size(), generator_, torch::kLong)
                                   : torch::randperm(dataset_.size(), torch::kLong))
                 .to(dataset_.data().device());
    position_ = 0;
  }
  auto rows = order_.slice(0, position_, position_ + batch_size_);
  position_ += batch_size_;
  return dataset_.data().index_select(0, rows);
}

void BatchIterator::save(torch::serialize::OutputArchive& archive) const {
  if (generator_.defined()) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    archive.write("batch_generator", generator_.get_state(), /*is_buffer=*/true);
  }
  if (!order_.defined()) return;
  archive.write("batch_order", order_, /*is_buffer=*/true);
  archive.write("batch_position", torch::tensor(position_), /*is_buffer=*/true);
}

void BatchIterator::load(torch::serialize::InputArchive& archive) {
  torch::Tensor order, position, generator;
  if (generator_.defined() && archive.try_read("batch_generator", generator, /*is_buffer=*/true)) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(generator.cpu());
  }
  if (!archive.try_read("batch_order", order, /*is_buffer=*/true)) return;
  archive.read("batch_position", position, /*is_buffer=*/true);
  order_ = order.to(dataset_.data().device());
  position_ = position.item<int64_t>();
}

}  // namespace ebm::datasets
