// Bars and stripes (MacKay 2003): n x n binary images in which every row is all-on or all-off
// (stripes) or every column is (bars). 2^n + 2^n = 2^(n+1) patterns; all-off and all-on belong
// to both families and appear twice, so the optimal model has mean log-likelihood
//   -(1/2^(n+1)) * [(2^(n+1) - 4) log 2^(n+1) + 4 log(2^(n+1) / 2)]   (-3.379 nats for n = 4).
#pragma once

#include "datasets/dataset.h"

namespace ebm::datasets {

// All 2^(n+1) patterns as rows of n*n pixels (row-major), duplicates included.
Dataset bars_and_stripes(int64_t n);

// The optimum above: the mean log-likelihood of the empirical distribution on its own data.
double bars_and_stripes_optimal_log_likelihood(int64_t n);

}  // namespace ebm::datasets
