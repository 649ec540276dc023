// 2-D datasets, their exact densities, the grid evaluators and the noise and replay chain
// sources, checked against closed forms: a model equal to the data's density scores the
// data's own log-likelihood, covers every mode and has zero MMD.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "datasets/toy_2d.h"
#include "ebm/gaussian.h"
#include "samplers/chain_source.h"
#include "trainers/density_metrics.h"

namespace ebm {
namespace {

GaussianMixture truth_of(const std::string& name) {
  auto m = *datasets::toy_2d_mixture(name);
  const int64_t k = m.means.size(0);
  return GaussianMixture(m.weights, m.means, m.std * torch::eye(2, torch::kFloat64).expand({k, 2, 2}));
}

TEST(Toy2D, EveryDatasetIsSeededAndShaped) {
  for (const auto& name : datasets::toy_2d_names()) {
    torch::manual_seed(1);
    auto a = datasets::sample_toy_2d(name, 500);
    torch::manual_seed(1);
    auto b = datasets::sample_toy_2d(name, 500);
    EXPECT_TRUE(a.equal(b)) << name;
    EXPECT_EQ(a.sizes(), (std::vector<int64_t>{500, 2})) << name;
    EXPECT_LT(a.abs().max().item<double>(), 6.0) << name;
  }
  auto split = datasets::toy_2d("two_moons", 300, 100);
  EXPECT_EQ(split.size(), 300);
  EXPECT_EQ(split.evaluation_split().size(), 100);
  EXPECT_THROW(datasets::sample_toy_2d("spirals", 10), std::invalid_argument);
}

TEST(Toy2D, EightGaussiansSamplesFollowTheirStatedDensity) {
  torch::manual_seed(2);
  auto x = datasets::sample_toy_2d("eight_gaussians", 80000);
  auto m = *datasets::toy_2d_mixture("eight_gaussians");
  auto [distance, nearest] = torch::cdist(x, m.means).min(1);
  // Equal mode shares, and the radial spread of an isotropic Gaussian: E|x - μ|² = 2 σ².
  auto share = torch::bincount(nearest, {}, 8).to(torch::kFloat64) / 80000;
  EXPECT_LT((share - 0.125).abs().max().item<double>(), 0.006);
  EXPECT_NEAR(distance.pow(2).mean().item<double>(), 2 * 0.2 * 0.2, 0.002);
  EXPECT_NEAR(m.means.norm(2, 1).min().item<double>(), 2.0, 1e-12);
}

TEST(DensityMetrics, TheTrueDensityScoresTheDataLikelihoodCoversEveryModeAndHasNoDiscrepancy) {
  torch::manual_seed(3);
  auto truth = truth_of("eight_gaussians");
  datasets::Dataset data(datasets::sample_toy_2d("eight_gaussians", 3000), "eight_gaussians");
  const auto grid = QuadratureGrid().lo(-4).hi(4).resolution(400);
  auto grid_ll = trainers::GridLogLikelihood(grid).evaluate(*truth, data);
  auto true_ll = trainers::TrueLogLikelihood(truth.ptr()).evaluate(*truth, data);
  // log Z of a normalised density is 0; the quadrature must find that, and then the two agree.
  EXPECT_NEAR(grid_ll["grid_log_z"].get<double>(), 0.0, 1e-4);
  EXPECT_NEAR(grid_ll["grid_ll"].get<double>(), true_ll["true_ll"].get<double>(), 1e-4);

  auto m = *datasets::toy_2d_mixture("eight_gaussians");
  auto coverage = trainers::ModeCoverage(m.means, m.std, grid, 4000).evaluate(*truth, data);
  EXPECT_EQ(coverage["mode_coverage"].get<double>(), 1.0);
  // P(|z| > 3) for a 2-D standard Gaussian is exp(-4.5) = 0.011.
  EXPECT_NEAR(coverage["off_mode"].get<double>(), std::exp(-4.5), 0.006);

  // A model missing half the modes: coverage 0.5 exactly, and a clearly positive MMD.
  auto half = GaussianMixture(torch::full({4}, 0.25, torch::kFloat64), m.means.slice(0, 0, 4),
                              m.std * torch::eye(2, torch::kFloat64).expand({4, 2, 2}));
  EXPECT_EQ(trainers::ModeCoverage(m.means, m.std, grid, 4000).evaluate(*half, data)["mode_coverage"].get<double>(), 0.5);
  const double mmd_true = trainers::MMD(grid, 1500).evaluate(*truth, data)["mmd2"].get<double>();
  const double mmd_half = trainers::MMD(grid, 1500).evaluate(*half, data)["mmd2"].get<double>();
  EXPECT_LT(std::abs(mmd_true), 0.003);
  EXPECT_GT(mmd_half, 0.05);
}

TEST(DensityMetrics, UnbiasedMmdIsZeroInExpectationForTheSameDistribution) {
  torch::manual_seed(4);
  double total = 0;
  for (int r = 0; r < 50; ++r) {
    total += trainers::mmd2_unbiased(torch::randn({100, 2}, torch::kFloat64), torch::randn({100, 2}, torch::kFloat64), 1.0);
  }
  // Each estimate has std about 0.005; the biased estimator would average about +0.02.
  EXPECT_NEAR(total / 50, 0.0, 0.003);
}

TEST(ChainSources, NoiseFillsTheWidenedBoxAndReplayRecyclesItsBuffer) {
  torch::manual_seed(5);
  auto data = torch::tensor({{0.0, 10.0}, {1.0, 20.0}}, torch::kFloat64);
  auto noise = samplers::NoiseChainSource::around(data, false, 0, 0.1);
  auto x = noise.draw(20000, data);
  EXPECT_NEAR(x.select(1, 0).min().item<double>(), -0.1, 0.01);
  EXPECT_NEAR(x.select(1, 1).max().item<double>(), 21.0, 0.01);

  samplers::ReplayBufferSource replay(noise, 1000, 0.25, 200);
  auto batch = data[0].expand({200, 2}).clone();
  auto start = replay.start(batch);
  ASSERT_EQ(start.size(0), 200);
  replay.finish(torch::full({200, 2}, 7.0, torch::kFloat64));  // the chains' end states go back
  EXPECT_EQ((replay.buffer() == 7.0).all(1).sum().item<int64_t>(), 200);
  // Next time about 200 * 0.2 * 0.75 = 30 marked rows come back unchanged (0.2 of the buffer is
  // marked; a quarter of the drawn chains restart from noise).
  const double kept = (replay.start(batch) == 7.0).all(1).to(torch::kFloat64).sum().item<double>();
  EXPECT_GT(kept, 12);
  EXPECT_LT(kept, 50);

  torch::serialize::OutputArchive out;
  replay.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  samplers::ReplayBufferSource restored(noise, 1000, 0.25, 200);
  torch::serialize::InputArchive in;
  std::istringstream input(bytes.str());
  in.load_from(input);
  restored.load(in);
  EXPECT_TRUE(restored.buffer().equal(replay.buffer()));
}

}  // namespace
}  // namespace ebm
