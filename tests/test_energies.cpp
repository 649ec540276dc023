// Neural and analytic energies against exact references: autograd and finite differences for
// the written-out gradients, closed-form Gaussian densities, normalisation by quadrature.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "ebm/gaussian.h"
#include "ebm/mlp_energy.h"
#include "support/numerical.h"

namespace ebm {
namespace {

torch::Tensor autograd_gradient(EnergyModelImpl& model, const torch::Tensor& x) {
  auto input = x.detach().requires_grad_(true);
  return torch::autograd::grad({model.energy(input).sum()}, {input})[0];
}

TEST(MLPEnergy, WrittenOutGradientMatchesAutogradAndFiniteDifferences) {
  for (const auto& activation : MLPEnergyImpl::activations()) {
    for (bool spectral : {false, true}) {
      torch::manual_seed(1);
      auto mlp = MLPEnergy(MLPEnergyOptions(3, {16, 8}).activation(activation).spectral_norm(spectral));
      mlp->to(torch::kFloat64);
      auto x = torch::randn({5, 3}, torch::kFloat64);
      auto written = mlp->energy_gradient(x);
      EXPECT_LT((written - autograd_gradient(*mlp, x)).abs().max().item<double>(), 1e-12) << activation << spectral;
      testing::expect_energy_gradient_matches_finite_differences(*mlp, x, 1e-6, activation + (spectral ? " spectral" : ""));
    }
  }
  auto linear = MLPEnergy(MLPEnergyOptions(2, {}));  // no hidden layer: a linear energy
  auto x = torch::randn({4, 2});
  EXPECT_TRUE(linear->energy_gradient(x).allclose(autograd_gradient(*linear, x)));
}

TEST(MLPEnergy, SpectralNormalisationBoundsEveryLayerByOne) {
  torch::manual_seed(2);
  auto normalised = MLPEnergy(MLPEnergyOptions(4, {32, 32}).spectral_norm(true));
  auto plain = MLPEnergy(MLPEnergyOptions(4, {32, 32}));
  normalised->to(torch::kFloat64);
  plain->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : normalised->named_parameters()) {
      p.value().mul_(10);
      plain->named_parameters()[p.key()].copy_(p.value());
    }
  }
  auto x = torch::randn({8, 4}, torch::kFloat64);
  for (int i = 0; i < 100; ++i) normalised->energy(x);  // training-mode calls run the power iteration
  // With every weight divided by its largest singular value, |∇x E| is at most the product of
  // the activations' Lipschitz constants (1.1 for SiLU, two hidden layers).
  auto probe = torch::randn({2000, 4}, torch::kFloat64) * 3;
  EXPECT_LE(normalised->energy_gradient(probe).norm(2, 1).max().item<double>(), 1.1 * 1.1 + 1e-6);
  // The same weights unnormalised break that bound many times over.
  EXPECT_GT(plain->energy_gradient(probe).norm(2, 1).max().item<double>(), 10.0);
  EXPECT_THROW(MLPEnergy(MLPEnergyOptions(2, {4}).activation("swish")), std::invalid_argument);
}

TEST(Gaussian, DensityScoreAndSamplesMatchTheClosedForm) {
  torch::manual_seed(3);
  auto mean = torch::tensor({1.0, -2.0, 0.5}, torch::kFloat64);
  auto l = torch::tensor({{1.5, 0.0, 0.0}, {0.4, 0.8, 0.0}, {-0.3, 0.2, 0.5}}, torch::kFloat64);
  auto gaussian = Gaussian(mean, l);
  auto cov = l.mm(l.t());
  auto x = torch::randn({6, 3}, torch::kFloat64);
  auto diff = x - mean;
  auto precision = torch::inverse(cov);
  auto expected = -0.5 * (diff.mm(precision) * diff).sum(1) - 0.5 * torch::logdet(cov) - 1.5 * std::log(2 * M_PI);
  EXPECT_LT((gaussian->log_density(x) - expected).abs().max().item<double>(), 1e-12);
  EXPECT_LT((gaussian->energy_gradient(x) - diff.mm(precision)).abs().max().item<double>(), 1e-12);
  auto samples = gaussian->sample(200000);
  EXPECT_LT((samples.mean(0) - mean).abs().max().item<double>(), 0.02);
  auto centred = samples - samples.mean(0);
  EXPECT_LT((centred.t().mm(centred) / 200000 - cov).abs().max().item<double>(), 0.03);
  EXPECT_THROW(Gaussian(mean, -l), std::invalid_argument);
}

GaussianMixture two_d_mixture() {
  auto weights = torch::tensor({0.2, 0.5, 0.3}, torch::kFloat64);
  auto means = torch::tensor({{-2.0, 0.0}, {1.0, 1.0}, {1.5, -1.5}}, torch::kFloat64);
  auto trils = torch::stack({torch::tensor({{0.5, 0.0}, {0.2, 0.3}}, torch::kFloat64),
                             torch::tensor({{0.4, 0.0}, {-0.1, 0.6}}, torch::kFloat64),
                             torch::tensor({{0.3, 0.0}, {0.0, 0.3}}, torch::kFloat64)});
  return GaussianMixture(weights, means, trils);
}

TEST(GaussianMixture, ScoreMatchesFiniteDifferencesAndTheDensityIntegratesToOne) {
  torch::manual_seed(4);
  auto mixture = two_d_mixture();
  auto x = torch::randn({10, 2}, torch::kFloat64) * 2;
  testing::expect_energy_gradient_matches_finite_differences(*mixture, x, 1e-6);
  // Midpoint rule on [-6, 6]^2 with 600^2 cells.
  const int64_t n = 600;
  const double cell = 12.0 / n;
  auto axis = torch::linspace(-6 + cell / 2, 6 - cell / 2, n, torch::kFloat64);
  auto mesh = torch::meshgrid({axis, axis}, "ij");
  auto grid = torch::stack({mesh[0].reshape(-1), mesh[1].reshape(-1)}, 1);
  torch::NoGradGuard no_grad;
  EXPECT_NEAR(torch::exp(mixture->log_density(grid)).sum().item<double>() * cell * cell, 1.0, 1e-6);
}

TEST(GaussianMixture, SamplesFollowTheComponentWeights) {
  torch::manual_seed(5);
  auto mixture = two_d_mixture();
  const int64_t n = 100000;
  auto samples = mixture->sample(n);
  torch::NoGradGuard no_grad;
  auto nearest = mixture->component_log_joint(samples).argmax(1);
  auto share = torch::bincount(nearest, {}, 3).to(torch::kFloat64) / n;
  // The components barely overlap, so the most probable component is almost always the source.
  EXPECT_LT((share - mixture->weights()).abs().max().item<double>(), 0.01) << share;
}

}  // namespace
}  // namespace ebm

#include "ebm/conv_energy.h"

namespace ebm {
namespace {

TEST(ConvEnergy, InputGradientMatchesFiniteDifferencesAndAnyImageSizeWorks) {
  torch::manual_seed(9);
  auto conv = ConvEnergy(ConvEnergyOptions(1, 6, 6).base_channels(3));
  conv->to(torch::kFloat64);
  auto x = torch::rand({3, 36}, torch::kFloat64);
  EXPECT_EQ(conv->energy(x).sizes(), (std::vector<int64_t>{3}));
  testing::expect_energy_gradient_matches_finite_differences(*conv, x, 1e-6);
  auto big = ConvEnergy(ConvEnergyOptions(1, 28, 28).base_channels(2));
  EXPECT_EQ(big->energy(torch::rand({2, 784})).size(0), 2);
  EXPECT_THROW(ConvEnergy(ConvEnergyOptions(1, 2, 2)), std::invalid_argument);
}

}  // namespace
}  // namespace ebm
