#include "samplers/chain_streams.h"

#include <ATen/TensorIterator.h>
#include <torch/torch.h>

#include <cmath>

namespace ebm::samplers {

uint64_t probability_threshold(double p) {
  if (p >= 1) return ~uint64_t{0};
  if (!(p > 0)) return 0;
  return static_cast<uint64_t>(std::ldexp(p, 64));
}

void for_each_chain(int64_t chains, uint64_t seed, const std::function<void(int64_t chain, uint64_t& stream)>& body) {
  // A TensorIterator over the chains' numbers shares them over the intra-op threads.
  const auto numbers = torch::arange(chains, torch::kLong), unused = torch::empty_like(numbers);
  auto iter = at::TensorIteratorConfig().add_output(unused).add_input(numbers).build();
  iter.for_each([&](char** data, const int64_t* strides, int64_t size0, int64_t size1) {
    TORCH_INTERNAL_ASSERT(size1 == 1 && strides[1] == sizeof(int64_t));
    for (int64_t chain = *reinterpret_cast<const int64_t*>(data[1]), end = chain + size0; chain < end; ++chain) {
      uint64_t stream = seed ^ (static_cast<uint64_t>(chain) * 0xd1342543de82ef95ULL);  // the chain's own start
      body(chain, stream);
    }
  }, 1);
}

}  // namespace ebm::samplers
