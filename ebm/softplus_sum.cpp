#include "ebm/softplus_sum.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ebm {

namespace {

constexpr int kBlock = 64;  // vector steps between logarithms: each lane's product is >= 2^-64

// Σ_j max(x_j, 0) - log max(s_j, 1 - s_j) over one row, eight floats or four doubles at a time
// (GCC vector extensions). Compiled for AVX2 and for baseline x86-64; the loader picks what the
// CPU has.
template <class Scalar>
__attribute__((target_clones("avx2", "default"))) Scalar softplus_row(const Scalar* x, const Scalar* s, int64_t n) {
  typedef Scalar Vec __attribute__((vector_size(32)));
  constexpr int64_t kWidth = sizeof(Vec) / sizeof(Scalar);
  const Vec zero = {};
  Vec relu = zero, product = zero + 1;
  Scalar relu_sum = 0, log_sum = 0, tail_product = 1;
  int64_t j = 0;
  for (int steps = 0; j + kWidth <= n; j += kWidth) {
    Vec xv, sv;
    std::memcpy(&xv, x + j, sizeof xv);
    std::memcpy(&sv, s + j, sizeof sv);
    const Vec flipped = 1 - sv;
    product *= sv < flipped ? flipped : sv;  // max(s, 1 - s); a NaN in s stays NaN
    relu += xv < zero ? zero : xv;
    if (++steps == kBlock) {
      for (int64_t l = 0; l < kWidth; ++l) log_sum += std::log(product[l]);
      product = zero + 1;
      steps = 0;
    }
  }
  for (; j < n; ++j) {  // the tail: fewer than kWidth factors
    tail_product *= std::max(s[j], 1 - s[j]);
    relu_sum += std::max(x[j], Scalar(0));
  }
  log_sum += std::log(tail_product);
  for (int64_t l = 0; l < kWidth; ++l) relu_sum += relu[l], log_sum += std::log(product[l]);
  return relu_sum - log_sum;
}

}  // namespace

at::Tensor softplus_row_sums(const at::Tensor& x, const at::Tensor& s) {
  TORCH_CHECK(x.dim() == 2 && x.sizes() == s.sizes(), "softplus_row_sums needs x and s of one shape (rows, n)");
  const bool fast = x.device().is_cpu() && s.device().is_cpu() && x.scalar_type() == s.scalar_type() &&
                    x.is_contiguous() && s.is_contiguous() &&
                    (x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble);
  if (!fast) return at::softplus(x).sum(1);
  const int64_t rows = x.size(0), n = x.size(1);
  at::Tensor out = at::empty({rows}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "softplus_row_sums", [&] {
    const scalar_t* xp = x.data_ptr<scalar_t>();
    const scalar_t* sp = s.data_ptr<scalar_t>();
    scalar_t* result = out.data_ptr<scalar_t>();
    for (int64_t r = 0; r < rows; ++r) result[r] = softplus_row<scalar_t>(xp + r * n, sp + r * n, n);
  });
  return out;
}

}  // namespace ebm
