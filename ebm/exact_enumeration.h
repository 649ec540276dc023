// Exact partition function of a latent-variable model, by enumerating the layer with fewer
// states (binary, spin or Potts units: any unit with finitely many states) in double precision:
//   log Z = logsumexp_v(-F(v)) = logsumexp_h(-F(h)).
// Tractable up to 2^kMaxEnumeratedUnits states on that side (24 binary units, 15 of 3 states),
// in chunks of 2^16 states.
#pragma once

#include "ebm/latent_variable_model.h"

namespace ebm {

constexpr int64_t kMaxEnumeratedUnits = 24;

// Binary vectors number first..last-1 as rows [last - first, n]; bit i of state r is (r >> i) & 1.
torch::Tensor binary_states(int64_t n, int64_t first, int64_t last,
                            torch::TensorOptions options = torch::kFloat64);
// All 2^n binary vectors.
inline torch::Tensor all_binary_states(int64_t n, torch::TensorOptions options = torch::kFloat64) {
  return binary_states(n, 0, int64_t{1} << n, options);
}

// The layer that enumeration runs over: S states per unit [S, c] (c columns each), `units` units,
// count = S^units joint states numbered in mixed radix, unit i's state being digit i of the
// number (base S, least significant first): for binary units, bit i of state r is (r >> i) & 1.
struct EnumeratedLayer {
  bool over_hidden = true;
  torch::Tensor unit_states;  // [S, c], in the options asked for
  int64_t units = 0, count = 0;
  // The joint states numbered by `indices` [N] (int64), [N, units * c].
  torch::Tensor states_at(const torch::Tensor& indices) const;
  // States first..last-1.
  torch::Tensor states(int64_t first, int64_t last) const;
};

// The side of `model` with fewer joint states, when one of its sides has finitely many and at most
// 2^kMaxEnumeratedUnits (the hidden side on a tie); std::invalid_argument naming `what` otherwise.
EnumeratedLayer enumerated_layer(const LatentVariableModel& model, torch::Dtype dtype, const std::string& what);

// Whether exact_log_partition can handle the model.
bool is_enumerable(const LatentVariableModel& model);

// log Z as a tensor of `dtype` that autograd differentiates: its gradient is the exact negative
// phase, so "trained by the exact gradient" is mean F(data) + log_partition (trainers/exact_likelihood.h).
// Throws std::invalid_argument when the model is not enumerable.
torch::Tensor log_partition(LatentVariableModel& model, torch::Dtype dtype);

// log Z in double precision, without a graph; throws std::invalid_argument when the model is not enumerable.
double exact_log_partition(LatentVariableModel& model);

// `n` independent exact samples of the model's visible units [n, V] in double: the enumerated
// layer's state is drawn from its enumerated marginal, p(h) = exp(-F(h)) / Z (or p(v)), then
// v ~ p(v | h). What makes reverse AIS an upper bound on log Z (samplers/ais.h). Throws
// std::invalid_argument when the model is not enumerable.
torch::Tensor exact_samples(LatentVariableModel& model, int64_t n);

// Whether every visible state of `model` can be enumerated: its units have finitely many states
// (EnergyModelImpl::unit_states) and at most 2^kMaxEnumeratedUnits joint states.
bool has_enumerable_states(const EnergyModelImpl& model);

// log p(v) = -F(v) - log Z of every visible state, numbered in mixed radix as EnumeratedLayer
// numbers them (for binary units, bit i of r is v_i), in double: [S^units]; std::invalid_argument
// unless has_enumerable_states(model).
torch::Tensor visible_log_probabilities(EnergyModelImpl& model);

// log Z = logsumexp_v -E(v) over every visible state of any model with has_enumerable_states (an
// MLP energy, a pairwise Ising or Potts model as well as an RBM's free energy), by chunks of 2^16
// states, as a tensor of `dtype` that autograd differentiates (the exact negative phase);
// std::invalid_argument for another model.
torch::Tensor visible_log_partition(EnergyModelImpl& model, torch::Dtype dtype);
// The same in double, without a graph.
double binary_log_partition(EnergyModelImpl& model);

// The state number r = sum_i v_i 2^i of each binary row [N, V] (V <= 62): the inverse of binary_states.
torch::Tensor state_indices(const torch::Tensor& binary_rows);

// Mean log p(x) = mean[-E(x)] - log Z over the rows of `data`, in nats per example, in double,
// for any log Z: exact (above) or estimated (samplers/ais.h).
double mean_log_likelihood(EnergyModelImpl& model, const torch::Tensor& data, double log_partition);

}  // namespace ebm
