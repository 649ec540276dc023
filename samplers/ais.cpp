#include "samplers/ais.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "ebm/bernoulli.h"

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

AISResult ais_log_partition(BernoulliRBMImpl& rbm, const torch::Tensor& data, const AISOptions& options) {
  torch::NoGradGuard no_grad;
  auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(rbm.weight.device());
  auto w = rbm.weight.to(opts), b = rbm.visible_bias.to(opts), c = rbm.hidden_bias.to(opts);
  torch::Tensor base_bias = torch::zeros_like(b);
  if (data.defined() && data.numel() > 0) {
    auto p = data.to(opts).mean(0).clamp(1e-3, 1 - 1e-3);
    base_bias = torch::log(p / (1 - p));
  }
  const double hidden_log2 = static_cast<double>(rbm.num_hidden()) * std::log(2.0);

  // log p*_β(v) for each chain.
  auto log_unnormalised = [&](const torch::Tensor& v, double beta) {
    return v.mv(base_bias * (1 - beta) + b * beta) +
           torch::softplus(torch::addmm(c, v, w) * beta).sum(1);
  };
  auto betas = ais_betas(options);
  auto beta_at = betas.accessor<double, 1>();

  auto v = sample_bernoulli(torch::sigmoid(base_bias).expand({options.chains(), b.size(0)}).contiguous());
  auto log_w = torch::zeros({options.chains()}, opts);
  for (int64_t k = 1; k < betas.size(0); ++k) {
    const double beta = beta_at[k];
    log_w += log_unnormalised(v, beta) - log_unnormalised(v, beta_at[k - 1]);
    auto h = sample_bernoulli(torch::sigmoid(torch::addmm(c, v, w) * beta));
    v = sample_bernoulli(torch::sigmoid(torch::addmm(base_bias * (1 - beta) + b * beta, h, w.t(), /*beta=*/1, /*alpha=*/beta)));
  }
  AISResult result;
  result.base_log_z = hidden_log2 + torch::softplus(base_bias).sum().item<double>();
  const double m = static_cast<double>(options.chains());
  const double shift = log_w.max().item<double>();
  auto scaled = torch::exp(log_w - shift);
  const double mean = scaled.mean().item<double>();
  result.log_z = result.base_log_z + shift + std::log(mean);
  result.log_z_stderr = options.chains() > 1 ? scaled.std().item<double>() / (mean * std::sqrt(m)) : INFINITY;
  return result;
}

}  // namespace ebm::samplers
