// Phase decomposition of the log-likelihood gradient (Hinton 2002; see docs/ARCHITECTURE.md):
//   d/dθ E_data[log p(x)] = -E_data[dE/dθ] + E_model[dE/dθ],   E_model[dE/dθ] = -d log Z/dθ,
//                            positive phase   negative phase
// with the negative phase exact where the model allows it (enumeration of the smaller binary
// layer, or grid quadrature for 2-D continuous energies), and the statistics that compare a
// sampled negative-phase estimator with it over repeated estimates.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ebm/energy_model.h"
#include "ebm/grid_quadrature.h"

namespace ebm::trainers {

using ebm::QuadratureGrid;

// One tensor per parameter, in the model's named_parameters() order.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// -E[dE/dθ] over the rows of `batch`.
NamedTensors positive_phase(EnergyModelImpl& model, const torch::Tensor& batch);
// E[dE/dθ] over the rows of `samples`: a sampled negative phase.
NamedTensors sampled_negative_phase(EnergyModelImpl& model, const torch::Tensor& samples);

// Σ_s w_s dE(s)/dθ over the rows of `states` for weights `w` [S] summing to 1: the negative phase
// of an exact distribution over states: the model's own (the exact negative phase), or the
// k-step distribution of a chain (the expected CD-k update, samplers/enumerated_chain.h).
NamedTensors weighted_negative_phase(EnergyModelImpl& model, const torch::Tensor& states, const torch::Tensor& weights);

// Why exact_negative_phase cannot handle `model` (with `grid` for continuous models), or empty.
std::string exact_negative_phase_unavailable(const EnergyModelImpl& model, const std::optional<QuadratureGrid>& grid);
// E_model[dE/dθ] = Σ_s p(s) dE(s)/dθ over every state s of the smaller layer of a latent-variable
// model (the same layer exact_log_partition enumerates), or every cell of `grid` for a 2-D
// continuous model; in the model's dtype; throws std::invalid_argument where unavailable.
NamedTensors exact_negative_phase(EnergyModelImpl& model, const std::optional<QuadratureGrid>& grid = {});

// How far repeated estimates ĝ_r = positive + negative_r of the gradient are from the exact
// g = positive + exact_negative, all over the parameters flattened into one vector:
struct EstimatorComparison {
  double cosine_to_exact = 0;  // mean over repeats of cos(ĝ_r, g), counting ĝ_r = 0 as 0
  double relative_bias = 0;    // |mean_r ĝ_r - g| / |g|
  double relative_std = 0;     // sqrt(Σ_r |ĝ_r - mean ĝ|^2 / (R - 1)) / |g|
  // Integrated autocorrelation time of the repeats (1 when independent, as for CD; above 1
  // for persistent chains), from the series of errors projected on the bias direction.
  double autocorrelation_time = 1;
  // relative_std * sqrt(tau / R): the size relative_bias reaches from sampling noise alone, so a
  // bias well above it is real.
  double relative_bias_noise = 0;
  // The same bias relative to the negative phase itself: |mean_r n_r - n| / |n|.
  double negative_relative_bias = 0;
};
EstimatorComparison compare_to_exact(const std::vector<NamedTensors>& negative_estimates,
                                     const NamedTensors& positive, const NamedTensors& exact_negative);
// The comparison restricted to the parameter tensor `name`.
EstimatorComparison compare_to_exact(const std::vector<NamedTensors>& negative_estimates,
                                     const NamedTensors& positive, const NamedTensors& exact_negative,
                                     const std::string& name);

// Element-wise mean of several NamedTensors.
NamedTensors mean_of(const std::vector<NamedTensors>& estimates);

}  // namespace ebm::trainers
