#include "ebm/bernoulli.h"

#include <ATen/TensorIterator.h>

#include "ebm/mix32.h"
#include "ebm/seed.h"

namespace ebm {

namespace {

// Compiled for AVX2 and for baseline x86-64; the loader picks what the CPU has.
template <class Scalar>
__attribute__((target_clones("avx2", "default"))) void bernoulli_block(
    const Scalar* p, Scalar* out, int64_t begin, int64_t end, uint32_t key0, uint32_t key1) {
  for (int64_t i = begin; i < end; ++i) {
    const uint32_t bits = mix32(mix32(static_cast<uint32_t>(i) ^ key0) + key1);
    const Scalar u = static_cast<Scalar>(bits >> 8) * static_cast<Scalar>(1.0 / 16777216.0);
    out[i] = u < p[i] ? Scalar(1) : Scalar(0);
  }
}

}  // namespace

at::Tensor sample_bernoulli(const at::Tensor& probs) {
  const bool fast = probs.device().is_cpu() && probs.numel() < (int64_t{1} << 32) &&
                    (probs.scalar_type() == at::kFloat || probs.scalar_type() == at::kDouble);
  if (!fast) {
    at::Tensor u = at::rand_like(probs);
    return u.lt_(probs);  // in place: keeps the floating dtype, values 0 and 1
  }
  const uint64_t seed = draw_seed();
  const auto key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  at::Tensor p = probs.contiguous();
  at::Tensor out = at::empty_like(p);
  // TensorIterator splits the pass over LibTorch's own intra-op threads; each element's draw
  // depends only on its index, which the loop recovers from the output address.
  const at::Tensor out_flat = out.view(-1), p_flat = p.view(-1);  // a 0-dim tensor too
  auto iter = at::TensorIteratorConfig().add_output(out_flat).add_input(p_flat).build();
  AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "sample_bernoulli", [&] {
    const scalar_t* in = p.data_ptr<scalar_t>();
    scalar_t* result = out.data_ptr<scalar_t>();
    iter.for_each(
        [&](char** data, const int64_t* strides, int64_t size0, int64_t size1) {
          TORCH_INTERNAL_ASSERT(strides[0] == sizeof(scalar_t) && strides[1] == sizeof(scalar_t));
          for (int64_t j = 0; j < size1; ++j) {
            const int64_t begin = reinterpret_cast<scalar_t*>(data[0] + j * strides[2]) - result;
            bernoulli_block<scalar_t>(in, result, begin, begin + size0, key0, key1);
          }
        },
        16384);
  });
  return out;
}

}  // namespace ebm
