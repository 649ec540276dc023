// Bars and stripes (MacKay 2003): n x n images in which every row has one colour (stripes) or
// every column has (bars). With two colours the pixels are bits (0 off, 1 on); with q >= 3 each
// pixel is one of q colours written one-hot (q columns per pixel, pixel-major), data for Potts
// units. There are q^n images of each family; the q single-colour images belong to both and
// appear twice among the 2 q^n rows, so the optimal model has mean log-likelihood
//   -(1 / N) [(N - 2q) log N + 2q log(N / 2)],   N = 2 q^n   (-3.379 nats for n = 4, q = 2).
#pragma once

#include "datasets/dataset.h"

namespace ebm::datasets {

// All 2 q^n patterns as rows of n*n pixels (row-major; one-hot of q columns each when q >= 3),
// duplicates included.
Dataset bars_and_stripes(int64_t n, int64_t colours = 2);

// The optimum above: the mean log-likelihood of the empirical distribution on its own data.
double bars_and_stripes_optimal_log_likelihood(int64_t n, int64_t colours = 2);

}  // namespace ebm::datasets
