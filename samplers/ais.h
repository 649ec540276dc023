// Annealed importance sampling along a path of tempered RBMs, forwards (Neal 2001; Salakhutdinov &
// Murray 2008), backwards (reverse AIS) and backwards from each test row (RAISE: Burda, Grosse &
// Salakhutdinov 2015, "Accurate and conservative estimates of MRF log-likelihood using reverse
// annealing"). The path runs from a base RBM A (weights 0, visible biases b_A from the training
// data's marginals) to the model B through unnormalised marginals f_k = p*_βk:
//   log p*_β(v) = (1-β) b_A·v + β b·v + Σ_j softplus(β (c_j + (v W)_j)),   Z_0 = 2^H Π_i (1 + e^{b_A,i})
// (each model states its own path, ebm/annealing_path.h; a Gaussian-Bernoulli RBM's starts at
// independent Gaussians, a layered RBM's interpolates each layer's potential, ebm/layered_rbm.h), with one block Gibbs sweep T_k (reversible for p_βk) at each β.
//   forward:  v_0 ~ A, log w = Σ_k log f_k(v_{k-1}) - log f_{k-1}(v_{k-1}), E[w] = Z / Z_0 exactly,
//             so log Z_0 + log mean w is a stochastic lower bound on log Z: P(log Ẑ > log Z + t) <= e^-t.
//   reverse:  the same walk from β = 1 down to 0, E[w] = Z_0 / Z exactly when the walk starts at
//             exact samples of the model, and only then is log Z_0 - log mean w a stochastic upper
//             bound on log Z. From any other start (data rows after some Gibbs sweeps) it is no
//             bound: chains that stay near the data under-state log Z.
//   RAISE:    for one test row v = v_K, the walk v_{K-1} = T_K(v_K), ..., v_0 = T_1(v_1) (a sweep
//             from v at β = 1 first) is a proposal for the states of the annealing model p_ann
//             (forward AIS's generative process, whose last state is v), and
//             log p̂_ann(v) = log f_K(v) - log Z_0 + Σ_{k<K} log f_k(v_k) - log f_{k+1}(v_k), with
//             E[p̂_ann(v)] = p_ann(v) exactly: a stochastic lower bound on log p_ann(v) that needs
//             no equilibrium samples and no log Z. p_ann tends to the model as the betas grow
//             dense; with few betas it is usually a blurrier model, so RAISE is usually
//             conservative, but it is no bound on the RBM's log p(v): where the path misses part
//             of the model, p_ann can give a row more probability than the RBM does (met on a
//             16-unit MNIST RBM, 0.17 nats above the exact figure: catalogue entry likelihood_estimates,
//             which compares annealing_model_samples with exact samples to tell the cases apart).
#pragma once

#include <string>

#include "ebm/latent_variable_model.h"

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
  double log_z = 0, base_log_z = 0;
  // Delta-method standard error sd(w) / (mean(w) √M): a few chains with large weights make it
  // too small, which independent repeats show (trainers/annealed_likelihood.h).
  double log_z_stderr = 0;
  // Effective sample size of the weights, (Σ w)² / Σ w², between 1 and the number of chains.
  double ess = 0;
};

// The inverse temperatures, increasing from 0 to 1 inclusive (betas + 1 values).
torch::Tensor ais_betas(const AISOptions& options);

// Everything runs in double precision on the model's device. `base_data` (training rows; may be
// empty: then b_A = 0, the uniform base) fixes the path's base. Any latent-variable model: it
// states its path (LatentVariableModel::annealing_path).
AISResult ais_log_partition(LatentVariableModel& model, const torch::Tensor& base_data, const AISOptions& options);

// Reverse AIS from `start` [chains, V] (options.chains is ignored). A bound only when `start`
// holds exact samples of the model (ebm/exact_enumeration.h: exact_samples).
AISResult reverse_ais_log_partition(LatentVariableModel& model, const torch::Tensor& base_data,
                                    const torch::Tensor& start, const AISOptions& options);

// The chains' log-weights behind those estimates, for callers that pool the chains of several
// processes before estimating (a data-parallel job's ranks: trainers/annealed_likelihood.h):
// log w [chains] in double, log Z_0, and the direction (reverse weights estimate Z_0 / Z).
struct AISWeights {
  torch::Tensor log_w;
  double base_log_z = 0;
  bool reverse = false;
};
AISWeights ais_log_weights(LatentVariableModel& model, const torch::Tensor& base_data, const AISOptions& options);
AISWeights reverse_ais_log_weights(LatentVariableModel& model, const torch::Tensor& base_data, const torch::Tensor& start,
                                   const AISOptions& options);
// log Z from the weights: log Z_0 + log mean w forwards, log Z_0 - log mean w in reverse.
AISResult ais_estimate(const AISWeights& weights);

// RAISE: log p̂_ann(v) of each row of `rows` [N, V] (one reverse walk per row; options.chains is
// ignored): [N] in double.
torch::Tensor raise_log_likelihoods(LatentVariableModel& model, const torch::Tensor& base_data,
                                    const torch::Tensor& rows, const AISOptions& options);

// `n` exact draws [n, V] of the annealing model p_ann that RAISE bounds: v_0 ~ A, then one sweep
// at each β_1, ..., β_K = 1 (the last state of forward AIS's walk, swept once more at β = 1).
// Compared with exact samples of the model, they show what part of it the path misses.
torch::Tensor annealing_model_samples(LatentVariableModel& model, const torch::Tensor& base_data, int64_t n,
                                      const AISOptions& options);

}  // namespace ebm::samplers
