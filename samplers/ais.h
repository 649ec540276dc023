// Annealed importance sampling of an RBM's partition function (Neal 2001; Salakhutdinov &
// Murray 2008). The path interpolates joint energies from a base-rate RBM A (weights 0, visible
// biases b_A from the data marginals) to the model B:
//   log p*_β(v) = (1-β) b_A·v + β b·v + Σ_j softplus(β (c_j + (v W)_j)),   log Z_0 = H log 2 + Σ softplus(b_A)
// with block Gibbs transitions at each β and weights log w += log p*_βk(v) - log p*_βk-1(v).
//   log Z ≈ log Z_0 + log mean_m w_m,  standard error by the delta method: sd(w) / (mean(w) √M).
#pragma once

#include <string>

#include "ebm/bernoulli_rbm.h"

namespace ebm::samplers {

struct AISOptions {
  TORCH_ARG(int64_t, chains) = 100;
  // Intermediate distributions (inverse temperatures between 0 and 1).
  TORCH_ARG(int64_t, betas) = 10000;
  // linear: evenly spaced. piecewise: Salakhutdinov & Murray's spacing, denser near β = 1
  // (5% of the betas on [0, 0.5], 30% on [0.5, 0.9], 65% on [0.9, 1]).
  TORCH_ARG(std::string, schedule) = "piecewise";
};

struct AISResult {
  double log_z = 0, log_z_stderr = 0, base_log_z = 0;
};

// The inverse temperatures, increasing from 0 to 1 inclusive (betas + 1 values).
torch::Tensor ais_betas(const AISOptions& options);

// Runs in double precision on the model's device. `data` fixes the base rates (may be empty:
// then b_A = 0, the uniform base).
AISResult ais_log_partition(BernoulliRBMImpl& rbm, const torch::Tensor& data, const AISOptions& options);

}  // namespace ebm::samplers
