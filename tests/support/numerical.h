// The numerical test harness: finite-difference gradient checks, the random models the suites
// use as fixtures, and Pearson's chi-square test of sampled counts against an exact law. Every analytic gradient is held to central differences in float64
// (ebm/finite_differences.h) with a stated tolerance.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <utility>
#include <string>
#include <vector>

#include "ebm/finite_differences.h"
#include "ebm/layered_rbm.h"
#include "ebm/layers/scaled_gaussian_layer.h"

namespace ebm::testing {

// Autograd's gradient of the scalar f with respect to each of `inputs` (float64 tensors that
// require gradients, parameters included) against central differences with step h: every
// element within `tolerance` (absolute, plus the same relative to the difference's size).
inline void expect_gradients_match_finite_differences(const std::function<torch::Tensor()>& f,
                                                      const std::vector<torch::Tensor>& inputs, double tolerance,
                                                      double h = 1e-6, const std::string& what = "") {
  const auto analytic = torch::autograd::grad({f()}, inputs, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                              /*allow_unused=*/true);
  for (size_t k = 0; k < inputs.size(); ++k) {
    const auto differences = central_differences(inputs[k], f, h).reshape(inputs[k].sizes());
    const auto autograd = analytic[k].defined() ? analytic[k].to(torch::kFloat64) : torch::zeros_like(differences);
    const auto excess = ((autograd - differences).abs() - tolerance * (1 + differences.abs())).max().item<double>();
    EXPECT_LE(excess, 0.0) << what << " input " << k << ": autograd " << autograd << "\ncentral differences "
                           << differences;
  }
}

// The model's ∇x E(x) (energy_gradient, written out or by autograd) against central differences
// of Σ_rows E(x) in x (rows are independent, so that sum's gradient is each row's), every element
// within `tolerance` (absolute, plus the same relative).
inline void expect_energy_gradient_matches_finite_differences(EnergyModelImpl& model, const torch::Tensor& x,
                                                               double tolerance, const std::string& what = "") {
  const auto analytic = model.energy_gradient(x).to(torch::kFloat64);
  auto moved = x.detach().clone().contiguous();
  const auto differences =
      central_differences(moved, [&] { return model.energy(moved).sum(); }, 1e-6).reshape(x.sizes());
  const auto excess = ((analytic - differences).abs() - tolerance * (1 + differences.abs())).max().item<double>();
  EXPECT_LE(excess, 0.0) << what << ": energy_gradient " << analytic << "\ncentral differences " << differences;
}

// A Bernoulli RBM with N(0, weight_std²) weights and N(0, bias_std²) biases, drawn from `seed`.
struct RandomRBMOptions {
  RandomRBMOptions(int64_t visible, int64_t hidden) : visible_(visible), hidden_(hidden) {}
  TORCH_ARG(int64_t, visible);
  TORCH_ARG(int64_t, hidden);
  TORCH_ARG(uint64_t, seed) = 0;
  TORCH_ARG(double, weight_std) = 0.8;
  TORCH_ARG(double, bias_std) = 0.7;
  TORCH_ARG(torch::Dtype, dtype) = torch::kFloat64;
};

inline LayeredRBM random_rbm(const RandomRBMOptions& o) {
  torch::manual_seed(o.seed());
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(o.visible(), o.hidden()).init_std(o.weight_std()));
  {
    torch::NoGradGuard no_grad;
    rbm->visible_field().normal_(0, o.bias_std());
    rbm->hidden_field().normal_(0, o.bias_std());
  }
  rbm->to(o.dtype());
  return rbm;
}

// A float64 Gaussian-Bernoulli RBM (scaled Gaussian visible units, binary hidden ones) with
// N(0, 1) weights and biases and log-variances uniform in [-1, 0.5], drawn from `seed`.
inline LayeredRBM random_gaussian_rbm(int64_t visible, int64_t hidden, uint64_t seed) {
  torch::manual_seed(seed);
  auto rbm = LayeredRBM(LayeredRBMOptions::gaussian_bernoulli(visible, hidden));
  rbm->to(torch::kFloat64);
  auto& gaussian = dynamic_cast<ScaledGaussianLayerImpl&>(*rbm->visible);
  torch::NoGradGuard no_grad;
  rbm->weight.normal_(0, 1);
  gaussian.bias.normal_(0, 1);
  rbm->hidden_field().normal_(0, 1);
  gaussian.log_variance.uniform_(-1, 0.5);
  return rbm;
}

// Pearson's chi-square of `counts` against `expected` (bins expecting fewer than 5 pooled into
// one), and the 0.999 quantile of its chi-square law (Wilson-Hilferty).
inline std::pair<double, double> chi_square(const torch::Tensor& counts, const torch::Tensor& expected) {
  double statistic = 0, pooled_observed = 0, pooled_expected = 0;
  int64_t bins = 0;
  for (int64_t b = 0; b < counts.size(0); ++b) {
    const double o = counts[b].item<double>(), e = expected[b].item<double>();
    if (e < 5) {
      pooled_observed += o, pooled_expected += e;
      continue;
    }
    statistic += (o - e) * (o - e) / e;
    ++bins;
  }
  if (pooled_expected >= 5) {
    statistic += (pooled_observed - pooled_expected) * (pooled_observed - pooled_expected) / pooled_expected;
    ++bins;
  }
  const double k = static_cast<double>(bins - 1), z = 3.090;
  return {statistic, k * std::pow(1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k)), 3)};
}

}  // namespace ebm::testing
