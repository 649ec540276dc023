// MCMC convergence diagnostics for M chains of N draws of one scalar (Vehtari, Gelman, Simpson,
// Carpenter & Bürkner 2021, "Rank-normalization, folding, and localization"):
//   autocorrelation rho_t of the combined chains, rho_t = 1 - (W - mean_m s_m^2 rho_{m,t}) / var+,
//   integrated autocorrelation time tau = -1 + 2 sum_k P_k over Geyer's initial positive,
//   monotone sequence of pair sums P_k = rho_2k + rho_2k+1, ESS = M N / tau;
//   bulk ESS on split, rank-normalised draws; tail ESS = min ESS of I(x <= q05), I(x <= q95);
//   R-hat = max(split R-hat of rank-normalised draws, of rank-normalised |x - median|).
#pragma once

#include <Eigen/Dense>

namespace ebm::samplers {

// Draws: one row per chain, one column per iteration.
using Draws = Eigen::MatrixXd;

// Autocorrelation of a single series at lags 0..max_lag.
Eigen::VectorXd autocorrelation(const Eigen::VectorXd& x, int max_lag);

// tau and ESS of the draws as given (no splitting or rank normalisation).
double integrated_autocorrelation_time(const Draws& draws);
double effective_sample_size(const Draws& draws);

// Each chain cut in two halves (an odd middle draw dropped): 2M chains of N/2.
Draws split_chains(const Draws& draws);
// Pooled ranks mapped through the normal quantile: Phi^-1((r - 3/8) / (S + 1/4)).
Draws rank_normalize(const Draws& draws);

double bulk_ess(const Draws& draws);
double tail_ess(const Draws& draws);
double split_rhat(const Draws& draws);  // the rank-normalised, folded maximum

}  // namespace ebm::samplers
