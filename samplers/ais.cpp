#include "samplers/ais.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "io/interrupt.h"

namespace ebm::samplers {

torch::Tensor ais_betas(const AISOptions& options) {
  const int64_t k = options.betas();
  if (k < 1) throw std::invalid_argument("AIS needs at least one beta");
  auto f64 = torch::kFloat64;
  if (options.schedule() == "linear") return torch::linspace(0.0, 1.0, k + 1, f64);
  if (options.schedule() != "piecewise") throw std::invalid_argument("unknown AIS schedule '" + options.schedule() + "'");
  const int64_t a = std::max<int64_t>(1, k / 20), b = std::max<int64_t>(1, (3 * k) / 10);
  const int64_t c = std::max<int64_t>(1, k - a - b);
  return torch::cat({torch::linspace(0.0, 0.5, a + 1, f64).slice(0, 0, a),
                     torch::linspace(0.5, 0.9, b + 1, f64).slice(0, 0, b),
                     torch::linspace(0.9, 1.0, c + 1, f64)});
}

namespace {

// Walks v through `betas` in order (increasing: forward; decreasing: reverse), each step weighing
// the move to the next distribution and then making one sweep there; returns the log weights.
torch::Tensor walk(const AnnealingPath& path, torch::Tensor v, const torch::Tensor& betas) {
  auto beta_at = betas.accessor<double, 1>();
  auto log_w = torch::zeros({v.size(0)}, path.options());
  const int64_t last = betas.size(0) - 1;
  for (int64_t k = 1; k <= last; ++k) {
    io::interruption_point("AIS");
    const auto pre = path.shared(v);
    log_w += path.log_unnormalised(v, pre, beta_at[k]) - path.log_unnormalised(v, pre, beta_at[k - 1]);
    if (k < last) v = path.sweep(pre, beta_at[k]);  // the last state's sweep would weigh nothing
  }
  return log_w;
}

// log mean exp(log_w), its delta-method standard error and the weights' effective sample size.
AISResult summarise(const torch::Tensor& log_w) {
  const double m = static_cast<double>(log_w.size(0));
  const double shift = log_w.max().item<double>();
  auto scaled = torch::exp(log_w - shift);
  const double mean = scaled.mean().item<double>();
  AISResult result;
  result.log_z = shift + std::log(mean);
  result.log_z_stderr = m > 1 ? scaled.std().item<double>() / (mean * std::sqrt(m)) : INFINITY;
  result.ess = std::pow(scaled.sum().item<double>(), 2) / scaled.pow(2).sum().item<double>();
  return result;
}

}  // namespace

AISWeights ais_log_weights(LatentVariableModel& model, const torch::Tensor& base_data, const AISOptions& options) {
  torch::NoGradGuard no_grad;
  const auto path = model.annealing_path(base_data);
  return {walk(*path, path->base_sample(options.chains()), ais_betas(options)), path->base_log_z(), false};
}

AISWeights reverse_ais_log_weights(LatentVariableModel& model, const torch::Tensor& base_data, const torch::Tensor& start,
                                   const AISOptions& options) {
  TORCH_CHECK(start.dim() == 2 && start.size(0) > 0, "reverse AIS needs start states [chains, V]");
  torch::NoGradGuard no_grad;
  const auto path = model.annealing_path(base_data);
  return {walk(*path, start.to(path->options()), ais_betas(options).flip(0)), path->base_log_z(), true};
}

AISResult ais_estimate(const AISWeights& weights) {
  auto result = summarise(weights.log_w);
  result.base_log_z = weights.base_log_z;
  result.log_z = weights.reverse ? weights.base_log_z - result.log_z  // the weights estimate Z_0 / Z
                                 : weights.base_log_z + result.log_z;
  return result;
}

AISResult ais_log_partition(LatentVariableModel& model, const torch::Tensor& base_data, const AISOptions& options) {
  return ais_estimate(ais_log_weights(model, base_data, options));
}

AISResult reverse_ais_log_partition(LatentVariableModel& model, const torch::Tensor& base_data,
                                    const torch::Tensor& start, const AISOptions& options) {
  return ais_estimate(reverse_ais_log_weights(model, base_data, start, options));
}

torch::Tensor raise_log_likelihoods(LatentVariableModel& model, const torch::Tensor& base_data,
                                    const torch::Tensor& rows, const AISOptions& options) {
  TORCH_CHECK(rows.dim() == 2 && rows.size(0) > 0, "RAISE needs rows [N, V]");
  torch::NoGradGuard no_grad;
  const auto path = model.annealing_path(base_data);
  const auto v = rows.to(path->options());
  const auto pre = path->shared(v);
  return path->log_unnormalised(v, pre, 1.0) - path->base_log_z() + walk(*path, path->sweep(pre, 1.0), ais_betas(options).flip(0));
}

torch::Tensor annealing_model_samples(LatentVariableModel& model, const torch::Tensor& base_data, int64_t n,
                                      const AISOptions& options) {
  torch::NoGradGuard no_grad;
  const auto path = model.annealing_path(base_data);
  const auto betas = ais_betas(options);
  auto beta_at = betas.accessor<double, 1>();
  auto v = path->base_sample(n);
  for (int64_t k = 1; k < betas.size(0); ++k) {
    io::interruption_point("annealing");
    v = path->sweep(path->shared(v), beta_at[k]);
  }
  return v;
}

}  // namespace ebm::samplers
