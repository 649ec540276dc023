#include "samplers/ais.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "ebm/bernoulli.h"
#include "ebm/bernoulli_rbm.h"
#include "ebm/gaussian_bernoulli_rbm.h"
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

torch::Tensor base_rates(const torch::Tensor& data, const torch::Tensor& like) {
  if (!data.defined() || data.numel() == 0) return torch::zeros_like(like);
  auto p = data.to(like.options()).mean(0).clamp(1e-3, 1 - 1e-3);
  return torch::log(p / (1 - p));
}

// A path knows its base (a sample, log Z_0), the hidden pre-activations `pre(v)` that every
// tempered distribution shares, log p*_β(v) given them, and one Gibbs sweep at β given them: one
// v W product serves a step's weight and its sweep.

// From a base-rate Bernoulli RBM A (weights 0, visible biases b_A) to the model B:
//   log p*_β(v) = (1-β) b_A·v + β b·v + Σ_j softplus(β (c_j + (v W)_j)).
struct BernoulliPath {
  torch::Tensor w, b, c, base_bias;
  double base_log_z = 0;

  BernoulliPath(BernoulliRBMImpl& rbm, const torch::Tensor& data) {
    auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(rbm.weight.device());
    const auto plain = rbm.plain_biases(torch::kFloat64);  // a centred RBM as the plain RBM it equals
    w = rbm.weight.to(opts), b = plain.visible.to(opts), c = plain.hidden.to(opts);
    base_bias = base_rates(data, b);
    base_log_z = static_cast<double>(rbm.num_hidden()) * std::log(2.0) + torch::softplus(base_bias).sum().item<double>();
  }
  torch::TensorOptions options() const { return b.options(); }
  torch::Tensor base_sample(int64_t chains) const {
    return sample_bernoulli(torch::sigmoid(base_bias).expand({chains, b.size(0)}).contiguous());
  }
  torch::Tensor pre(const torch::Tensor& v) const { return torch::addmm(c, v, w); }
  torch::Tensor log_unnormalised(const torch::Tensor& v, const torch::Tensor& pre, double beta) const {
    return v.mv(base_bias * (1 - beta) + b * beta) + torch::softplus(pre * beta).sum(1);
  }
  torch::Tensor sweep(const torch::Tensor& pre, double beta) const {
    auto h = sample_bernoulli(torch::sigmoid(pre * beta));
    return sample_bernoulli(torch::sigmoid(torch::addmm(base_bias * (1 - beta) + b * beta, h, w.t(), /*beta=*/1, /*alpha=*/beta)));
  }
};

// From independent Gaussians A (the data's means and variances, or N(0, 1) without data) to the
// Gaussian-Bernoulli model B (variances σ²):
//   log p*_β(v) = -(1-β) Σ (v - m_A)² / (2 σ_A²) - β Σ (v - b)² / (2 σ²) + Σ_j softplus(β (c_j + (v/σ² W)_j)),
// log Z_0 = H log 2 + Σ log(√(2π) σ_A). Given h, v is Gaussian with precision (1-β)/σ_A² + β/σ²
// and mean ((1-β) m_A / σ_A² + β (b + W h) / σ²) / precision.
struct GaussianPath {
  torch::Tensor w, b, c, var, base_mean, base_var;
  double base_log_z = 0;

  GaussianPath(GaussianBernoulliRBMImpl& rbm, const torch::Tensor& data) {
    auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(rbm.weight.device());
    w = rbm.weight.to(opts), b = rbm.visible_bias.to(opts), c = rbm.hidden_bias.to(opts);
    var = rbm.variance(torch::kFloat64).to(opts).detach();
    const bool have_data = data.defined() && data.size(0) > 1;
    base_mean = have_data ? data.to(opts).mean(0) : torch::zeros_like(b);
    base_var = have_data ? data.to(opts).var(0).clamp_min(1e-4) : torch::ones_like(b);
    base_log_z = static_cast<double>(rbm.num_hidden()) * std::log(2.0) +
                 (0.5 * std::log(2 * M_PI) + 0.5 * base_var.log()).sum().item<double>();
  }
  torch::TensorOptions options() const { return b.options(); }
  torch::Tensor base_sample(int64_t chains) const {
    return base_mean + torch::randn({chains, b.size(0)}, b.options()) * base_var.sqrt();
  }
  torch::Tensor pre(const torch::Tensor& v) const { return torch::addmm(c, v / var, w); }
  torch::Tensor log_unnormalised(const torch::Tensor& v, const torch::Tensor& pre, double beta) const {
    return -(1 - beta) * ((v - base_mean).pow(2) / (2 * base_var)).sum(1) - beta * ((v - b).pow(2) / (2 * var)).sum(1) +
           torch::softplus(pre * beta).sum(1);
  }
  torch::Tensor sweep(const torch::Tensor& pre, double beta) const {
    auto h = sample_bernoulli(torch::sigmoid(pre * beta));
    const auto precision = (1 - beta) / base_var + beta / var;
    const auto mean = ((1 - beta) * base_mean / base_var + beta * torch::addmm(b, h, w.t()) / var) / precision;
    return mean + torch::randn_like(mean) / precision.sqrt();
  }
};

// Walks v through `betas` in order (increasing: forward; decreasing: reverse), each step weighing
// the move to the next distribution and then making one sweep there; returns the log weights.
template <class Path>
torch::Tensor walk(const Path& path, torch::Tensor v, const torch::Tensor& betas) {
  auto beta_at = betas.accessor<double, 1>();
  auto log_w = torch::zeros({v.size(0)}, path.options());
  const int64_t last = betas.size(0) - 1;
  for (int64_t k = 1; k <= last; ++k) {
    io::interruption_point("AIS");
    const auto pre = path.pre(v);
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

template <class Fn>
auto on_path(LatentVariableModel& model, const torch::Tensor& base_data, Fn&& fn) {
  torch::NoGradGuard no_grad;
  if (auto* rbm = dynamic_cast<BernoulliRBMImpl*>(&model)) return fn(BernoulliPath(*rbm, base_data));
  if (auto* grbm = dynamic_cast<GaussianBernoulliRBMImpl*>(&model)) return fn(GaussianPath(*grbm, base_data));
  throw std::invalid_argument("AIS needs a bernoulli_rbm or a gaussian_bernoulli_rbm, not a " + model.type_name());
}

}  // namespace

bool has_ais_path(const EnergyModelImpl& model) {
  return dynamic_cast<const BernoulliRBMImpl*>(&model) != nullptr ||
         dynamic_cast<const GaussianBernoulliRBMImpl*>(&model) != nullptr;
}

AISResult ais_log_partition(LatentVariableModel& model, const torch::Tensor& base_data, const AISOptions& options) {
  return on_path(model, base_data, [&](const auto& path) {
    auto result = summarise(walk(path, path.base_sample(options.chains()), ais_betas(options)));
    result.base_log_z = path.base_log_z;
    result.log_z += path.base_log_z;
    return result;
  });
}

AISResult reverse_ais_log_partition(LatentVariableModel& model, const torch::Tensor& base_data,
                                    const torch::Tensor& start, const AISOptions& options) {
  TORCH_CHECK(start.dim() == 2 && start.size(0) > 0, "reverse AIS needs start states [chains, V]");
  return on_path(model, base_data, [&](const auto& path) {
    auto result = summarise(walk(path, start.to(path.options()), ais_betas(options).flip(0)));
    result.base_log_z = path.base_log_z;
    result.log_z = path.base_log_z - result.log_z;  // the weights estimate Z_0 / Z
    return result;
  });
}

torch::Tensor raise_log_likelihoods(LatentVariableModel& model, const torch::Tensor& base_data,
                                    const torch::Tensor& rows, const AISOptions& options) {
  TORCH_CHECK(rows.dim() == 2 && rows.size(0) > 0, "RAISE needs rows [N, V]");
  return on_path(model, base_data, [&](const auto& path) {
    const auto v = rows.to(path.options());
    const auto pre = path.pre(v);
    return path.log_unnormalised(v, pre, 1.0) - path.base_log_z + walk(path, path.sweep(pre, 1.0), ais_betas(options).flip(0));
  });
}

}  // namespace ebm::samplers
