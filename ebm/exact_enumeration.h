// Exact partition function of a latent-variable model with binary units, by enumerating the
// smaller layer in double precision:  log Z = logsumexp_v(-F(v)) = logsumexp_h(-F(h)).
// Tractable up to kMaxEnumeratedUnits units on that side (2^24 states, chunked).
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

// Whether exact_log_partition can handle the model.
bool is_enumerable(const LatentVariableModel& model);

// log Z in double precision; throws std::invalid_argument when the model is not enumerable.
double exact_log_partition(LatentVariableModel& model);

// Mean log p(x) = mean[-E(x)] - log Z over the rows of `data`, in nats per example, in double,
// for any log Z: exact (above) or estimated (samplers/ais.h).
double mean_log_likelihood(EnergyModelImpl& model, const torch::Tensor& data, double log_partition);

}  // namespace ebm
