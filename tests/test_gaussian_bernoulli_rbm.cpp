// The Gaussian-Bernoulli RBM (scaled Gaussian and binary layers) against numerical integration
// and its own joint: the free energies F(v) and F(h) against sums and integrals of exp(-E(v, h)),
// the conditionals against ratios of the joint, exact log Z against 2-D quadrature of exp(-F(v)),
// AIS (forward and reverse) against exact log Z, block Gibbs keeping the model's distribution,
// and the hidden memo following the variances.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "ebm/exact_enumeration.h"
#include "ebm/layered_rbm.h"
#include "ebm/layers/scaled_gaussian_layer.h"
#include "samplers/ais.h"
#include "support/numerical.h"

namespace ebm {
namespace {

// A grid over [-L, L]^d (d = 1 or 2) with its cell volume.
std::pair<torch::Tensor, double> grid(int64_t d, double half_width, int64_t n) {
  auto axis = torch::linspace(-half_width, half_width, n, torch::kFloat64);
  const double cell = std::pow(2 * half_width / static_cast<double>(n - 1), static_cast<double>(d));
  if (d == 1) return {axis.unsqueeze(1), cell};
  auto mesh = torch::meshgrid({axis, axis}, "ij");
  return {torch::stack({mesh[0].reshape(-1), mesh[1].reshape(-1)}, 1), cell};
}

TEST(GaussianBernoulliRBM, FreeEnergiesAgreeWithSumsAndIntegralsOfTheJoint) {
  for (int64_t d : {1, 2}) {
    auto rbm = testing::random_gaussian_rbm(d, 3, 10 + d);
    torch::NoGradGuard no_grad;
    const auto hidden = all_binary_states(3);
    const auto [v, cell] = grid(d, 12.0, d == 1 ? 4001 : 401);
    // F(v) = -log Σ_h exp(-E(v, h)).
    const auto points = v.slice(0, 0, v.size(0), v.size(0) / 50);
    auto joint = torch::stack(
        [&] {
          std::vector<torch::Tensor> columns;
          for (int64_t k = 0; k < hidden.size(0); ++k) columns.push_back(-rbm->joint_energy(points, hidden[k].expand({points.size(0), 3})));
          return columns;
        }(),
        1);
    EXPECT_TRUE(torch::allclose(rbm->energy(points), -torch::logsumexp(joint, 1), 1e-10, 1e-10)) << d;
    // F(h) = -log ∫ exp(-E(v, h)) dv, by quadrature on the grid.
    for (int64_t k = 0; k < hidden.size(0); ++k) {
      const auto e = rbm->joint_energy(v, hidden[k].expand({v.size(0), 3}));
      const double integral = -(torch::logsumexp(-e, 0).item<double>() + std::log(cell));
      EXPECT_NEAR(rbm->hidden_free_energy(hidden[k].unsqueeze(0)).item<double>(), integral, 1e-4) << d << " h=" << k;
    }
  }
}

TEST(GaussianBernoulliRBM, ConditionalsAreRatiosOfTheJoint) {
  auto rbm = testing::random_gaussian_rbm(2, 3, 21);
  torch::NoGradGuard no_grad;
  const auto v = torch::randn({5, 2}, torch::kFloat64);
  const auto hidden = all_binary_states(3);
  // p(h_j = 1 | v): the joint summed over the other units, normalised.
  for (int64_t j = 0; j < 3; ++j) {
    auto on = torch::zeros({5}, torch::kFloat64), all = torch::zeros({5}, torch::kFloat64);
    for (int64_t k = 0; k < hidden.size(0); ++k) {
      const auto weight = torch::exp(-rbm->joint_energy(v, hidden[k].expand({5, 3})));
      all += weight;
      if (hidden[k][j].item<double>() == 1) on += weight;
    }
    EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v).select(1, j), on / all, 1e-10, 1e-12)) << j;
  }
  // p(v | h) is N(b + W h, σ²): log p(v1 | h) - log p(v2 | h) = E(v2, h) - E(v1, h).
  const auto h = hidden.slice(0, 3, 4).expand({5, 3});
  const auto mean = rbm->visible_mean(h), var = dynamic_cast<ScaledGaussianLayerImpl&>(*rbm->visible).unit_variance(torch::kFloat64);
  const auto log_normal = [&](const torch::Tensor& x) { return (-(x - mean).pow(2) / (2 * var)).sum(1); };
  const auto w = torch::randn({5, 2}, torch::kFloat64);
  EXPECT_TRUE(torch::allclose(log_normal(v) - log_normal(w), rbm->joint_energy(w, h) - rbm->joint_energy(v, h), 1e-10, 1e-10));
}

TEST(GaussianBernoulliRBM, ExactLogPartitionMatchesQuadratureAndAIS) {
  auto rbm = testing::random_gaussian_rbm(2, 4, 31);
  torch::NoGradGuard no_grad;
  const double exact = exact_log_partition(*rbm);
  const auto [v, cell] = grid(2, 15.0, 601);
  EXPECT_NEAR(exact, torch::logsumexp(-rbm->energy(v), 0).item<double>() + std::log(cell), 1e-4);
  // Forward AIS, and reverse AIS from exact model samples (its 16 hidden states enumerated),
  // agree with it; the base is fitted to those samples.
  torch::manual_seed(32);
  const auto x = exact_samples(*rbm, 300);
  const auto options = samplers::AISOptions().chains(300).betas(3000);
  const auto forward = samplers::ais_log_partition(*rbm, x, options);
  const auto reverse = samplers::reverse_ais_log_partition(*rbm, x, x, options);
  EXPECT_NEAR(forward.log_z, exact, 4 * forward.log_z_stderr + 0.02);
  EXPECT_NEAR(reverse.log_z, exact, 4 * reverse.log_z_stderr + 0.02);
  EXPECT_GT(forward.log_z_stderr, 0);
}

TEST(GaussianBernoulliRBM, BlockGibbsKeepsTheModelsMoments) {
  // The mean and variance of 20,000 Gibbs draws against those of exp(-F(v)) by 1-D quadrature.
  auto rbm = testing::random_gaussian_rbm(1, 3, 41);
  torch::NoGradGuard no_grad;
  const auto [v, cell] = grid(1, 15.0, 6001);
  const auto p = torch::softmax(-rbm->energy(v), 0);
  const double mean = (p * v.squeeze(1)).sum().item<double>();
  const double var = (p * (v.squeeze(1) - mean).pow(2)).sum().item<double>();
  torch::manual_seed(42);
  auto x = torch::zeros({20000, 1}, torch::kFloat64);
  for (int i = 0; i < 300; ++i) x = rbm->sample_visible(rbm->sample_hidden(x));
  EXPECT_NEAR(x.mean().item<double>(), mean, 5 * std::sqrt(var / 20000));
  EXPECT_NEAR(x.var().item<double>(), var, 5 * var * std::sqrt(2.0 / 20000));
}

// The hidden input c + (v / sigma^2) W depends on the variances too: changing them in place must
// not let the memo of the last input serve the old means.
TEST(GaussianBernoulliRBM, HiddenMemoFollowsTheVariances) {
  auto rbm = testing::random_gaussian_rbm(2, 3, 51);
  auto& gaussian = dynamic_cast<ScaledGaussianLayerImpl&>(*rbm->visible);
  torch::NoGradGuard no_grad;
  const auto v = torch::randn({5, 2}, torch::kFloat64);
  const auto fresh = [&] { return torch::sigmoid((v / gaussian.log_variance.exp()).mm(rbm->weight) + rbm->hidden_field()); };
  EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v), fresh(), 1e-14, 1e-14));
  gaussian.log_variance.add_(0.3);
  EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v), fresh(), 1e-14, 1e-14));
}

}  // namespace
}  // namespace ebm
