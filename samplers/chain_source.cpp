#include "samplers/chain_source.h"

#include <torch/torch.h>

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

}  // namespace ebm::samplers
