// MCMC diagnostics against analytic truth: AR(1) chains, whose integrated autocorrelation time
// is (1 + phi) / (1 - phi), and chains stuck in separate modes.
#include <gtest/gtest.h>

#include <random>

#include "samplers/diagnostics.h"

namespace ebm::samplers {
namespace {

// x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t, started in its stationary N(0, 1).
Draws ar1(int chains, int draws, double phi, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Draws x(chains, draws);
  for (int m = 0; m < chains; ++m) {
    double value = normal(rng);
    for (int t = 0; t < draws; ++t) {
      value = phi * value + std::sqrt(1 - phi * phi) * normal(rng);
      x(m, t) = value;
    }
  }
  return x;
}

TEST(Diagnostics, AutocorrelationOfAR1IsPhiToTheLag) {
  Draws x = ar1(1, 200000, 0.7, 1);
  Eigen::VectorXd rho = autocorrelation(x.row(0).transpose(), 5);
  for (int t = 0; t <= 5; ++t) EXPECT_NEAR(rho(t), std::pow(0.7, t), 0.01) << t;
}

TEST(Diagnostics, AR1IntegratedTimeAndEssWithinFifteenPercent) {
  for (double phi : {0.0, 0.5, 0.9}) {
    const double tau = (1 + phi) / (1 - phi);
    Draws x = ar1(4, 20000, phi, 2 + static_cast<unsigned>(phi * 10));
    const double ess = 80000 / tau;
    EXPECT_NEAR(integrated_autocorrelation_time(x), tau, 0.15 * tau) << phi;
    EXPECT_NEAR(effective_sample_size(x), ess, 0.15 * ess) << phi;
    EXPECT_NEAR(bulk_ess(x), ess, 0.15 * ess) << phi;
    // Tail indicators of AR(1) mix faster than the chain itself, never slower than half.
    EXPECT_GT(tail_ess(x), 0.5 * ess) << phi;
  }
}

TEST(Diagnostics, SplitRhatSeparatesStuckFromMixedChains) {
  std::mt19937_64 rng(9);
  std::normal_distribution<double> normal;
  Draws stuck(4, 2000), mixed(4, 2000);
  for (int m = 0; m < 4; ++m) {
    for (int t = 0; t < 2000; ++t) {
      stuck(m, t) = (m < 2 ? -3.0 : 3.0) + normal(rng);
      mixed(m, t) = normal(rng);
    }
  }
  EXPECT_GT(split_rhat(stuck), 1.1);
  EXPECT_LT(split_rhat(mixed), 1.01);
  // A chain that drifts is caught by splitting it, even when it is the only one.
  Draws drifting(1, 2000);
  for (int t = 0; t < 2000; ++t) drifting(0, t) = t / 200.0 + normal(rng);
  EXPECT_GT(split_rhat(drifting), 1.1);
}

TEST(Diagnostics, RankNormalizationIsMonotoneAndStandard) {
  Draws x(2, 3);
  x << 5, 1, 3, 2, 2, 100;
  Draws z = rank_normalize(x);
  EXPECT_LT(z(0, 1), z(1, 0));
  EXPECT_EQ(z(1, 0), z(1, 1));  // ties share a value
  EXPECT_LT(z(0, 0), z(1, 2));
  Draws distinct(1, 5);
  distinct << 0.3, -7, 12, 4, 1;
  Draws zd = rank_normalize(distinct);  // Blom scores are symmetric about 0
  EXPECT_NEAR(zd.mean(), 0.0, 1e-12);
  EXPECT_NEAR(zd(0, 2), 1.1797611176118012, 1e-7);  // Phi^-1((5 - 3/8) / 5.25)
  EXPECT_THROW(split_rhat(Draws(2, 2)), std::invalid_argument);
}

}  // namespace
}  // namespace ebm::samplers
