// Gradient-based and Metropolis samplers against analytic stationary laws: the biased variance
// of unadjusted Langevin on N(0, 1), the exact variance of MALA and HMC, acceptance rates that
// fall as the step grows, and the weights of a known mixture.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "ebm/gaussian.h"
#include "samplers/hmc.h"
#include "samplers/langevin.h"
#include "samplers/random_walk.h"

namespace ebm::samplers {
namespace {

Gaussian standard_normal() {
  return Gaussian(torch::zeros({1}, torch::kFloat64), torch::ones({1, 1}, torch::kFloat64));
}

// Variance pooled over `snapshots` states taken `gap` transitions apart after `burn_in`.
double stationary_variance(Sampler& sampler, EnergyModelImpl& model, int64_t burn_in, int64_t snapshots, int64_t gap) {
  auto x = sampler.run(model, torch::randn({40000, 1}, torch::kFloat64), burn_in);
  double total = 0;
  for (int64_t i = 0; i < snapshots; ++i) {
    x = sampler.run(model, x, gap);
    total += x.pow(2).mean().item<double>();
  }
  return total / static_cast<double>(snapshots);
}

TEST(Langevin, UnadjustedStationaryVarianceOnAStandardNormalIsOneOverOneMinusEpsOverFour) {
  torch::manual_seed(1);
  auto target = standard_normal();
  for (double eps : {0.1, 1.0}) {
    LangevinSampler ula(LangevinOptions().step_size(eps));
    const double expected = 1.0 / (1.0 - eps / 4);  // 1.026 and 1.333
    const double variance = stationary_variance(ula, *target, static_cast<int64_t>(20 / eps), 20, static_cast<int64_t>(20 / eps));
    EXPECT_NEAR(variance, expected, 0.008) << "eps " << eps;
  }
  // Decoupling the noise changes the law: σ = 0 is gradient descent to the mode.
  LangevinSampler descent(LangevinOptions().step_size(0.5).noise_scale(0));
  EXPECT_LT(descent.run(*target, torch::randn({100, 1}, torch::kFloat64), 200).abs().max().item<double>(), 1e-10);
}

TEST(Langevin, GradientClippingLimitsEachMove) {
  auto target = Gaussian(torch::zeros({2}, torch::kFloat64), torch::eye(2, torch::kFloat64));
  LangevinSampler clipped(LangevinOptions().step_size(1.0).noise_scale(0).grad_clip(0.1));
  auto far = torch::full({3, 2}, 100.0, torch::kFloat64);
  // One step moves each coordinate by exactly (ε/2) * clip = 0.05 instead of 50.
  EXPECT_TRUE(clipped.run(*target, far, 1).allclose(far - 0.05));
}

TEST(MALA, StationaryVarianceIsExactWhereUnadjustedLangevinIsBiased) {
  torch::manual_seed(2);
  auto target = standard_normal();
  MALASampler mala(MALAOptions().step_size(1.0));
  EXPECT_NEAR(stationary_variance(mala, *target, 50, 20, 20), 1.0, 0.008);
}

TEST(MALA, AcceptanceFallsAsTheStepGrows) {
  torch::manual_seed(3);
  auto target = Gaussian(torch::zeros({4}, torch::kFloat64), torch::eye(4, torch::kFloat64));
  double previous = 1.0;
  for (double eps : {0.05, 0.5, 1.5, 3.0}) {
    MALASampler mala(MALAOptions().step_size(eps));
    mala.run(*target, torch::randn({5000, 4}, torch::kFloat64), 20);
    const double rate = samplers::host_statistics(mala).at("acceptance_rate");
    EXPECT_LT(rate, previous) << "eps " << eps;
    if (eps == 0.05) {
      EXPECT_GT(rate, 0.99);
    }
    if (eps == 3.0) {
      EXPECT_LT(rate, 0.3);
    }
    previous = rate;
  }
}

TEST(HMC, ExactVarianceAndAcceptanceFallingToZeroPastTheStabilityLimit) {
  torch::manual_seed(4);
  auto target = standard_normal();
  HMCSampler hmc(HMCOptions().step_size(0.5).leapfrog_steps(5));
  EXPECT_NEAR(stationary_variance(hmc, *target, 20, 20, 5), 1.0, 0.008);
  // Leapfrog on a unit Gaussian is stable for ε < 2: the energy error, and with it the
  // rejection rate, grows with ε and explodes beyond 2.
  double previous = 1.0;
  for (double eps : {0.1, 0.8, 1.6, 1.95, 2.2}) {
    HMCSampler h(HMCOptions().step_size(eps).leapfrog_steps(10));
    h.run(*target, torch::randn({5000, 1}, torch::kFloat64), 10);
    const double rate = samplers::host_statistics(h).at("acceptance_rate");
    EXPECT_LE(rate, previous + 0.01) << "eps " << eps;
    if (eps == 0.1) {
      EXPECT_GT(rate, 0.99);
    }
    if (eps == 2.2) {
      EXPECT_LT(rate, 0.05);
    }
    previous = rate;
  }
}

TEST(MALA, SamplingAKnownMixtureRecoversItsWeights) {
  torch::manual_seed(5);
  auto means = torch::tensor({{-1.0, 0.0}, {1.0, 0.0}}, torch::kFloat64);
  auto trils = torch::stack({0.6 * torch::eye(2, torch::kFloat64), 0.6 * torch::eye(2, torch::kFloat64)});
  auto mixture = GaussianMixture(torch::tensor({0.25, 0.75}, torch::kFloat64), means, trils);
  // All chains start in the lighter mode; the sampler must move three quarters of them over.
  auto start = means[0].expand({10000, 2}).clone();
  MALASampler mala(MALAOptions().step_size(0.3));
  auto x = mala.run(*mixture, start, 800);
  torch::NoGradGuard no_grad;
  const double share_right = (x.select(1, 0) > 0).to(torch::kFloat64).mean().item<double>();
  const double exact_share = (mixture->sample(400000).select(1, 0) > 0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(share_right, exact_share, 0.015);
  EXPECT_GT(exact_share, 0.7);
}

TEST(RandomWalk, SamplesAnEnumerableRbmExactlyByBitFlips) {
  torch::manual_seed(6);
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(3, 2).init_std(1.0));
  rbm->to(torch::kFloat64);
  torch::Tensor exact;
  {
    torch::NoGradGuard no_grad;
    exact = torch::softmax(-rbm->energy(all_binary_states(3)), 0);
  }
  RandomWalkSampler walk;
  const int64_t chains = 30000;
  auto v = walk.run(*rbm, torch::zeros({chains, 3}, torch::kFloat64), 60);
  auto code = (v.select(1, 0) + 2 * v.select(1, 1) + 4 * v.select(1, 2)).to(torch::kLong);
  auto frequency = torch::bincount(code, {}, 8).to(torch::kFloat64) / chains;
  EXPECT_TRUE(((frequency - exact).abs() < 5 * torch::sqrt(exact * (1 - exact) / chains)).all().item<bool>())
      << frequency << exact;
  auto rate = samplers::host_statistics(walk).at("acceptance_rate");
  EXPECT_GT(rate, 0.0);
  EXPECT_LT(rate, 1.0);
}

}  // namespace
}  // namespace ebm::samplers
