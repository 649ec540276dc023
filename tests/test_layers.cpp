// The RBM layers (ebm/layers/) through one harness: for every kind of unit, at two inverse
// temperatures and random fields, precisions and inputs,
//  - the cumulant generating function, the mean and the variance against the exact sums over
//    every state of a 3-unit layer (binary, spin, Potts) or against quadrature on a fine grid of
//    each unit's line (Gaussian, scaled Gaussian, ReLU, dReLU; the other units held at 0, their
//    potentials there taken out), the input coupling the layer's statistic s(x);
//  - d Gamma / d I = beta E[s(x)] by autograd;
//  - draws: a chi-square test of the joint states (discrete) or a Kolmogorov-Smirnov test of each
//    unit against the quadrature's CDF (continuous).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>

#include "ebm/layers/binary_layer.h"
#include "ebm/layers/drelu_layer.h"
#include "ebm/layers/gaussian_layer.h"
#include "ebm/layers/potts_layer.h"
#include "ebm/layers/relu_layer.h"
#include "ebm/layers/scaled_gaussian_layer.h"
#include "ebm/layers/spin_layer.h"
#include "support/numerical.h"

namespace ebm {
namespace {

struct LayerCase {
  std::string name;
  std::function<LayerPtr()> make;
};
void PrintTo(const LayerCase& c, std::ostream* os) { *os << c.name; }  // readable test names in ctest

// Every parameter N(0, 1) (log precisions and log variances N(0, 0.5^2)), in double.
LayerPtr randomised(LayerPtr layer) {
  layer->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  for (auto& item : layer->named_parameters()) {
    const bool log_scale = item.key().find("precision") != std::string::npos || item.key().find("variance") != std::string::npos;
    item.value().normal_(0, log_scale ? 0.5 : 1.0);
  }
  return layer;
}

const std::vector<LayerCase> kCases = {
    {"binary", [] { return randomised(BinaryLayer(3).ptr()); }},
    {"spin", [] { return randomised(SpinLayer(3).ptr()); }},
    {"potts", [] { return randomised(PottsLayer(3, 4).ptr()); }},
    {"gaussian", [] { return randomised(GaussianLayer(2).ptr()); }},
    {"scaled_gaussian", [] { return randomised(ScaledGaussianLayer(2).ptr()); }},
    {"relu", [] { return randomised(ReLULayer(2).ptr()); }},
    {"drelu", [] { return randomised(DReLULayer(2).ptr()); }}};

// Every joint state of a discrete layer, [S, width].
torch::Tensor joint_states(const LayerImpl& layer) {
  const auto unit = *layer.unit_states();  // [s, c]
  torch::Tensor all = unit;
  for (int64_t n = 1; n < layer.units(); ++n) {
    const int64_t a = all.size(0), s = unit.size(0);
    all = torch::cat({all.repeat_interleave(s, 0), unit.repeat({a, 1})}, 1);
  }
  return all;
}

class Layers : public ::testing::TestWithParam<LayerCase> {};

TEST_P(Layers, CgfMeanVarianceAndDrawsAreExact) {
  torch::set_num_threads(2);
  torch::manual_seed(31);
  const auto layer = GetParam().make();
  const int64_t batch = 4, draws = 20000;
  for (const double beta : {1.0, 0.6}) {
    const auto beta_tensor = torch::tensor(beta, torch::kFloat64);
    const auto inputs = torch::randn({batch, layer->width()}, torch::kFloat64);
    const auto cgf = layer->cgf(inputs, beta_tensor), mean = layer->mean(inputs, beta_tensor), variance = layer->variance(inputs, beta_tensor);
    const std::string where = GetParam().name + ", beta " + std::to_string(beta);
    {  // d Gamma / d I = beta E[s(x)] = beta s(E[x]) (every statistic is a scale of the state)
      auto in = inputs.clone().requires_grad_(true);
      const auto grad = torch::autograd::grad({layer->cgf(in, beta_tensor).sum()}, {in})[0];
      EXPECT_TRUE(torch::allclose(grad, beta * layer->statistic(mean), 1e-8, 1e-10)) << where;
    }
    const auto repeated = inputs.slice(0, 0, 1).expand({draws, layer->width()}).contiguous();
    const auto sampled = layer->sample(repeated, beta_tensor);
    if (layer->unit_states()) {
      const auto states = joint_states(*layer);
      const auto log_w = beta * (inputs.matmul(layer->statistic(states).t()) - layer->energy(states).unsqueeze(0));  // [B, S]
      const auto p = torch::softmax(log_w, 1);
      EXPECT_TRUE(torch::allclose(cgf, torch::logsumexp(log_w, 1), 1e-10, 1e-10)) << where;
      const auto exact_mean = p.matmul(states);
      EXPECT_TRUE(torch::allclose(mean, exact_mean, 1e-10, 1e-10)) << where;
      const auto exact_variance = p.matmul(states.pow(2)) - exact_mean.pow(2);
      EXPECT_TRUE(torch::allclose(variance, exact_variance, 1e-10, 1e-10)) << where;
      // Draws: the joint state's index, chi-square against p of row 0.
      const auto same = (sampled.unsqueeze(1) - states.unsqueeze(0)).abs().sum(2).eq(0);
      ASSERT_TRUE(same.sum(1).eq(1).all().item<bool>()) << where << ": a draw is not a state";
      const auto [statistic, quantile] = testing::chi_square(same.to(torch::kFloat64).sum(0), p[0] * draws);
      EXPECT_LT(statistic, quantile) << where;
      continue;
    }
    // The trapezoid rule on the support ([0, 30] for ReLU units, [-30, 30] else), step 3e-4, one
    // unit at a time, the others at 0: E(row) - E(0) is unit n's E_n(t) - E_n(0), so each unit's
    // log-integral is Gamma_n + beta E_n(0), and their sum less beta E(0) is Gamma.
    const double low = GetParam().name == "relu" ? 0.0 : -30.0, dt = 3e-4;
    const auto t = torch::arange(low, 30 + dt / 2, dt, torch::kFloat64);
    auto trapezoid = torch::ones_like(t);
    trapezoid[0] = 0.5, trapezoid[-1] = 0.5;
    const double at_zero = layer->energy(torch::zeros({1, layer->width()}, torch::kFloat64)).item<double>();
    double total = -beta * at_zero;
    for (int64_t n = 0; n < layer->units(); ++n) {
      auto rows = torch::zeros({t.size(0), layer->width()}, torch::kFloat64);
      rows.select(1, n).copy_(t);
      const auto e = layer->energy(rows) - at_zero;
      const auto s = layer->statistic(rows).select(1, n);
      for (int64_t b = 0; b < batch; ++b) {
        const auto log_w = beta * (inputs[b][n] * s - e);
        const double shift = log_w.max().item<double>();
        const auto w = (log_w - shift).exp() * trapezoid;
        const double z = w.sum().item<double>() * dt;
        const double m = (w * t).sum().item<double>() * dt / z;
        const double v = (w * (t - m).pow(2)).sum().item<double>() * dt / z;
        if (b == 0) {  // Kolmogorov-Smirnov of unit n's draws against the quadrature's CDF
          const auto cdf = w.cumsum(0) / w.sum();
          const auto sorted = std::get<0>(sampled.select(1, n).sort());
          const auto at = torch::searchsorted(t, sorted).clamp_max(t.size(0) - 1);
          const auto empirical = torch::arange(1, draws + 1, torch::kFloat64) / draws;
          const double ks = (cdf.index_select(0, at) - empirical).abs().max().item<double>();
          EXPECT_LT(ks, 1.95 / std::sqrt(static_cast<double>(draws)) + 1e-3) << where << ", unit " << n;  // p = 0.001
        }
        EXPECT_NEAR(mean[b][n].item<double>(), m, 1e-6) << where << ", unit " << n;
        EXPECT_NEAR(variance[b][n].item<double>(), v, 1e-6) << where << ", unit " << n;
        if (b == 0) total += std::log(z) + shift;
      }
    }
    EXPECT_NEAR(cgf[0].item<double>(), total, 1e-6) << where;
  }
}

// Far into the tails (a field of -60 or +60 standard deviations) a ReLU unit's cgf, mean and
// variance stay finite and match the asymptotic forms (for a -> -inf, nearly an exponential of
// mean 1 / |a|: mean (1 - 2/a^2) / |a|, variance (1 - 6/a^2) / a^2; for a -> +inf, N(a, 1)), and
// its draws stay on x >= 0 with the stated mean.
TEST(ReLULayer, StaysFiniteFarIntoTheTails) {
  torch::manual_seed(32);
  ReLULayer layer(2);
  layer->to(torch::kFloat64);
  const int64_t draws = 20000;
  const auto inputs = torch::tensor({-60.0, 60.0}, torch::kFloat64).unsqueeze(0);
  const auto mean = layer->mean(inputs), variance = layer->variance(inputs);
  auto in = inputs.clone().requires_grad_(true);
  const auto cgf = layer->cgf(in);
  EXPECT_TRUE(torch::isfinite(cgf).all().item<bool>());
  const auto grad = torch::autograd::grad({cgf.sum()}, {in})[0];
  EXPECT_TRUE(torch::allclose(grad, mean, 1e-9, 1e-12)) << grad;
  EXPECT_NEAR(mean[0][0].item<double>(), (1 - 2.0 / 3600) / 60, 1e-6);
  EXPECT_NEAR(variance[0][0].item<double>(), (1 - 6.0 / 3600) / 3600, 1e-8);
  EXPECT_NEAR(mean[0][1].item<double>(), 60.0, 1e-9);
  EXPECT_NEAR(variance[0][1].item<double>(), 1.0, 1e-9);
  const auto x = layer->sample(inputs.expand({draws, 2}).contiguous());
  EXPECT_TRUE((x >= 0).all().item<bool>());
  for (int64_t n = 0; n < 2; ++n) {
    const double se = std::sqrt(variance[0][n].item<double>() / draws);
    EXPECT_NEAR(x.select(1, n).mean().item<double>(), mean[0][n].item<double>(), 5 * se) << "unit " << n;
  }
}

// One inverse temperature per row (parallel tempering's replicas in one batch) is each row at its own.
TEST_P(Layers, OneInverseTemperaturePerRowIsEachRowAtItsOwn) {
  torch::manual_seed(33);
  const auto layer = GetParam().make();
  const auto inputs = torch::randn({4, layer->width()}, torch::kFloat64);
  const auto betas = torch::tensor({1.0, 0.6, 0.3, 2.0}, torch::kFloat64);
  const auto cgf = layer->cgf(inputs, betas), mean = layer->mean(inputs, betas), variance = layer->variance(inputs, betas);
  for (int64_t b = 0; b < 4; ++b) {
    const auto row = inputs.slice(0, b, b + 1);
    EXPECT_NEAR(cgf[b].item<double>(), layer->cgf(row, betas[b]).item<double>(), 1e-12);
    EXPECT_TRUE(torch::allclose(mean[b], layer->mean(row, betas[b])[0], 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(variance[b], layer->variance(row, betas[b])[0], 1e-12, 1e-12));
  }
  EXPECT_EQ(layer->sample(inputs, betas).sizes(), inputs.sizes());
}

INSTANTIATE_TEST_SUITE_P(EveryKind, Layers, ::testing::ValuesIn(kCases), [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ebm
