#include "trainers/density_metrics.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/exact_enumeration.h"

namespace ebm::trainers {

namespace {

// A subsample of at most n rows, to keep the O(n²) kernel sums bounded.
torch::Tensor at_most(const torch::Tensor& x, int64_t n) {
  if (x.size(0) <= n) return x;
  return x.index_select(0, torch::randperm(x.size(0), torch::TensorOptions().dtype(torch::kLong).device(x.device())).slice(0, 0, n));
}

}  // namespace

Metrics GridLogLikelihood::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  const double log_z = grid_log_partition(model, grid_);
  Metrics m;
  m["grid_ll"] = mean_log_likelihood(model, data.data(), log_z);
  m["grid_log_z"] = log_z;
  return m;
}

Metrics TrueLogLikelihood::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  torch::NoGradGuard no_grad;
  Metrics m;
  auto like_truth = truth_->parameters().at(0);
  m["true_ll"] = truth_->log_density(data.data().to(like_truth.device(), like_truth.scalar_type())).to(torch::kFloat64).mean().item<double>();
  return m;
}

ModeCoverage::ModeCoverage(torch::Tensor modes, double mode_std, QuadratureGrid grid, int64_t samples)
    : modes_(std::move(modes)), mode_std_(mode_std), grid_(grid), samples_(samples) {}

Metrics ModeCoverage::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  auto x = sample_from_grid(model, grid_, samples_);
  auto distances = torch::cdist(x, modes_.to(x.options()));  // [n, K]
  auto [nearest_distance, nearest] = distances.min(1);
  auto on_mode = nearest_distance < 3 * mode_std_;
  const int64_t k = modes_.size(0);
  auto counts = torch::bincount(nearest.masked_select(on_mode), {}, k);
  const double fair_quarter = static_cast<double>(samples_) / static_cast<double>(k) / 4;
  Metrics m;
  m["mode_coverage"] = (counts.to(torch::kFloat64) >= fair_quarter).to(torch::kFloat64).mean().item<double>();
  m["off_mode"] = 1 - on_mode.to(torch::kFloat64).mean().item<double>();
  return m;
}

MMD::MMD(QuadratureGrid grid, int64_t samples, double bandwidth) : grid_(grid), samples_(samples), bandwidth_(bandwidth) {}

double mmd2_unbiased(const torch::Tensor& x, const torch::Tensor& y, double bandwidth) {
  const double n = static_cast<double>(x.size(0)), m = static_cast<double>(y.size(0));
  if (n < 2 || m < 2) throw std::invalid_argument("MMD needs at least two samples on each side");
  auto kernel = [&](const torch::Tensor& a, const torch::Tensor& b) {
    return torch::exp(-torch::cdist(a, b).pow(2) / (2 * bandwidth * bandwidth));
  };
  // Within-sample sums leave out the diagonal (k(a, a) = 1).
  const double xx = (kernel(x, x).sum().item<double>() - n) / (n * (n - 1));
  const double yy = (kernel(y, y).sum().item<double>() - m) / (m * (m - 1));
  const double xy = kernel(x, y).mean().item<double>();
  return xx + yy - 2 * xy;
}

Metrics MMD::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  auto x = sample_from_grid(model, grid_, samples_);
  auto y = at_most(data.data().to(x.options()), samples_);
  double s = bandwidth_;
  if (s <= 0) {
    auto d = torch::cdist(y, y);
    s = d.masked_select(d > 0).median().item<double>();
  }
  Metrics m;
  m["mmd2"] = mmd2_unbiased(x, y, s);
  return m;
}

}  // namespace ebm::trainers
