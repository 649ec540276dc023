// Row sums of softplus(x) = log(1 + e^x) from x and s = sigmoid(x), which Bernoulli-unit code
// has already computed:
//   softplus(x) = max(x, 0) + log(1 + e^-|x|) = max(x, 0) - log sigmoid(|x|)
//               = max(x, 0) - log max(s, 1 - s),
// since sigmoid(|x|) = max(s, 1 - s) lies in [1/2, 1]: the logarithm is of a number near 1, finite
// wherever s under- or overflows. On CPU each vector lane multiplies its factors max(s, 1 - s)
// in blocks of 64 (a product >= 2^-64, far from float's 2^-126) and takes one logarithm per
// block, so a row of n units costs n multiplications and about n/64 logarithms instead of n exp
// and log1p pairs.
// A NaN in s gives a NaN sum. Other devices, layouts and dtypes use softplus(x).sum(1).
#pragma once

#include <ATen/ATen.h>

namespace ebm {

// x and s of shape (rows, n); returns shape (rows,).
at::Tensor softplus_row_sums(const at::Tensor& x, const at::Tensor& s);

}  // namespace ebm
