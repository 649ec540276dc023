// End to end through the `ebm` binary with a neural energy: a reduced gmm8_langevin run (its
// metrics and picture), exact resume with the replay buffer, and `ebm sample`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "reports/png.h"
#include "test_support.h"

namespace ebm::experiments {
using namespace reports;
namespace {

namespace fs = std::filesystem;

const std::string kGmm8 = "experiments/gmm8_langevin.yaml --set threads=1 --set train.log_every=100 --set train.checkpoint_every=100 "
                          "--set eval.grid_resolution=100 --set eval.samples=500";

using testing::summary_of;

TEST(NeuralRuns, ReducedGmm8RunLogsEveryMetricDrawsItsPictureAndResumesExactly) {
  auto dir = testing::scratch_dir();
  auto straight = testing::run_ebm("train " + kGmm8 + " --set train.steps=200 --out '" + (dir / "straight").string() + "'");
  ASSERT_EQ(straight.exit_code, 0) << straight.output;
  auto summary = summary_of(dir / "straight");
  for (const char* key : {"loss", "energy_pos", "energy_neg", "energy_l2", "grid_ll", "grid_log_z", "true_ll",
                          "mode_coverage", "off_mode", "mmd2"}) {
    EXPECT_TRUE(summary["final"].contains(key)) << key;
  }
  // 200 updates already beat a broad model: the uniform density on the grid's square scores
  // -log(area) = -log(6.5^2) = -3.7 nats.
  EXPECT_GT(summary["final"]["grid_ll"].get<double>(), -3.7);
  EXPECT_NEAR(summary["final"]["true_ll"].get<double>(), -1.70, 0.05);
  auto picture = read_png((dir / "straight" / "samples.png").string());
  EXPECT_EQ(picture.width(), 480);

  auto half = testing::run_ebm("train " + kGmm8 + " --set train.steps=100 --out '" + (dir / "resumed").string() + "'");
  ASSERT_EQ(half.exit_code, 0) << half.output;
  auto resumed = testing::run_ebm("train --resume '" + (dir / "resumed").string() + "' --set train.steps=200");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(summary_of(dir / "resumed")["final"]["grid_ll"].get<double>(), summary["final"]["grid_ll"].get<double>());
  EXPECT_EQ(summary_of(dir / "resumed")["final"]["loss"].get<double>(), summary["final"]["loss"].get<double>());
}

TEST(NeuralRuns, SampleWritesCsvAndPictureAndRefusesBadRequests) {
  auto dir = testing::scratch_dir();
  auto train = testing::run_ebm("train " + kGmm8 + " --set train.steps=50 --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const std::string sample = "sample --run '" + (dir / "run").string() + "' ";

  auto result = testing::run_ebm(sample + "--n 300 --steps 50 --out '" + (dir / "s.csv").string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto csv = testing::read_text(dir / "s.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 301);
  EXPECT_EQ(csv.substr(0, 6), "x0,x1\n");
  EXPECT_TRUE(fs::exists(dir / "s.png"));

  auto mala = testing::run_ebm(sample + "--n 100 --steps 20 --sampler mala --set sampler.step_size=0.001 --out '" +
                               (dir / "m.csv").string() + "'");
  ASSERT_EQ(mala.exit_code, 0) << mala.output;
  EXPECT_NE(mala.output.find("\"acceptance_rate\""), std::string::npos) << mala.output;

  auto gibbs = testing::run_ebm(sample + "--sampler gibbs --out '" + (dir / "g.csv").string() + "'");
  EXPECT_EQ(gibbs.exit_code, 2) << gibbs.output;
  EXPECT_NE(gibbs.output.find("latent-variable"), std::string::npos) << gibbs.output;
  auto bad = testing::run_ebm(sample + "--out '" + (dir / "s.txt").string() + "'");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_FALSE(fs::exists(dir / "g.csv"));
}

// Every objective's config, reduced to a few steps: it parses, trains, evaluates and logs its terms.
TEST(NeuralRuns, EveryObjectiveConfigTrainsInReducedForm) {
  auto dir = testing::scratch_dir();
  const std::map<std::string, std::string> term = {
      {"cd", "energy_neg"}, {"pcd", "energy_neg"}, {"sm", "sm_trace"}, {"dsm", "dsm"}, {"ssm", "ssm_hessian"},
      {"nce", "nce_log_z"}, {"pl", "pseudo_likelihood"}, {"rm", "ratio_matching"}, {"mpf", "mpf"}};
  for (const auto& [name, key] : term) {
    const bool rbm = name == "pl" || name == "rm" || name == "mpf";
    std::string reduced = " --set threads=1 --set train.steps=20 --set train.log_every=10";
    if (!rbm) reduced += " --set train.batch_size=64 --set eval.grid_resolution=50 --set eval.samples=200 --set data.train_size=500";
    auto result = testing::run_ebm("train experiments/objectives/" + name + ".yaml" + reduced + " --out '" + (dir / name).string() + "'");
    ASSERT_EQ(result.exit_code, 0) << name << "\n" << result.output;
    auto summary = summary_of(dir / name);
    EXPECT_TRUE(summary["final"].contains(key)) << name;
    EXPECT_TRUE(summary["final"].contains(rbm ? "exact_ll" : "grid_ll")) << name;
  }
  // A continuous-data objective refuses the binary RBM with a config error.
  auto refused = testing::run_ebm("train experiments/objectives/pl.yaml --set objective.type=score_matching --out '" + (dir / "x").string() + "'");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("objective.type"), std::string::npos) << refused.output;
}

// Fashion-MNIST (installed by scripts/setup) through a tiny ConvNet: the run trains, and its
// picture is a 10x10 grid of 28x28 samples.
TEST(NeuralRuns, ConvNetOnFashionMnistTrainsAndDrawsASampleGrid) {
  auto dir = testing::scratch_dir();
  auto result = testing::run_ebm(
      "train experiments/fashion_convnet.yaml --set threads=1 --set data.train_size=256 --set model.base_channels=2 "
      "--set objective.chains=8 --set sampler.steps=2 --set train.steps=4 --set train.log_every=2 --set train.checkpoint_every=0 "
      "--out '" + (dir / "run").string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto summary = summary_of(dir / "run");
  EXPECT_EQ(summary["steps"], 4);
  EXPECT_TRUE(summary["final"].contains("energy_l2"));
  auto picture = read_png((dir / "run" / "samples.png").string());
  EXPECT_EQ(picture.width(), 10 * (28 + 2) + 2);
  EXPECT_EQ(picture.height(), 10 * (28 + 2) + 2);
}

}  // namespace
}  // namespace ebm::experiments
