// Annealed importance sampling of an RBM's partition function (Neal 2001; Salakhutdinov &
// Murray 2008). The path interpolates joint energies from a base-rate RBM A (weights 0, visible
// biases b_A from the data marginals) to the model B:
//   log p*_β(v) = (1-β) b_A·v + β b·v + Σ_j softplus(β (c_j + (v W)_j)),   log Z_0 = H log 2 + Σ softplus(b_A)
// (a Gaussian-Bernoulli RBM's path starts at independent Gaussians with the data's means and
// variances instead; samplers/ais.cpp writes it out) with block Gibbs transitions at each β and weights log w += log p*_βk(v) - log p*_βk-1(v).
//   log Z ≈ log Z_0 + log mean_m w_m,  standard error by the delta method: sd(w) / (mean(w) √M).
// Since E[w] = Z / Z_0, Jensen makes E[log Z estimate] <= log Z: forward AIS tends to
// under-estimate log Z, so its log-likelihood tends to be too high.
// Reverse AIS (Burda, Grosse & Salakhutdinov 2015) runs the same path from β = 1 down to 0,
// starting at samples of the model; its weights estimate Z_0 / Z without bias, so
//   log Z ≈ log Z_0 - log mean_m w_m   tends to over-estimate log Z (a log-likelihood too low).
// The two bracket the truth when the reverse chains start at the model's equilibrium; here they
// start at data rows after `burn_in` Gibbs sweeps, which approximates it.
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
  // Reverse AIS: Gibbs sweeps of the model from data rows before annealing down.
  TORCH_ARG(int64_t, burn_in) = 1000;
};

struct AISResult {
  double log_z = 0, log_z_stderr = 0, base_log_z = 0;
};

// The inverse temperatures, increasing from 0 to 1 inclusive (betas + 1 values).
torch::Tensor ais_betas(const AISOptions& options);

// Runs in double precision on the model's device. `data` fixes the base rates (may be empty:
// then b_A = 0, the uniform base).
// Bernoulli and Gaussian-Bernoulli RBMs (std::invalid_argument for other models).
AISResult ais_log_partition(LatentVariableModel& model, const torch::Tensor& data, const AISOptions& options);

// Reverse AIS over the same path; `data` (not empty) fixes the base and starts the chains.
AISResult reverse_ais_log_partition(LatentVariableModel& model, const torch::Tensor& data, const AISOptions& options);

// Whether the model has an annealing path here.
bool has_ais_path(const EnergyModelImpl& model);

}  // namespace ebm::samplers
