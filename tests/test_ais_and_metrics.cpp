// Annealed importance sampling, pseudo-likelihood and reconstruction against enumeration and
// closed forms.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "datasets/bars_and_stripes.h"
#include "ebm/bernoulli_rbm.h"
#include "ebm/exact_enumeration.h"
#include "experiments/experiment.h"
#include "experiments/schema.h"
#include "samplers/ais.h"
#include "trainers/rbm_metrics.h"

namespace ebm {
namespace {

BernoulliRBM random_rbm(int64_t visible, int64_t hidden, double std, uint64_t seed) {
  torch::manual_seed(seed);
  auto rbm = BernoulliRBM(BernoulliRBMOptions(visible, hidden).init_std(std));
  torch::NoGradGuard no_grad;
  rbm->visible_bias.normal_(0, 0.5);
  rbm->hidden_bias.normal_(0, 0.5);
  return rbm;
}

TEST(AIS, BetasIncreaseFromZeroToOne) {
  for (const char* schedule : {"linear", "piecewise"}) {
    auto betas = samplers::ais_betas(samplers::AISOptions().betas(1000).schedule(schedule));
    EXPECT_EQ(betas.size(0), 1001) << schedule;
    EXPECT_EQ(betas[0].item<double>(), 0.0);
    EXPECT_EQ(betas[-1].item<double>(), 1.0);
    EXPECT_TRUE((betas.slice(0, 1) > betas.slice(0, 0, -1)).all().item<bool>()) << schedule;
  }
}

TEST(AIS, LogPartitionMatchesEnumerationOnRandomRBMs) {
  for (auto [visible, hidden] : {std::pair{20, 10}, std::pair{12, 16}}) {
    auto rbm = random_rbm(visible, hidden, 0.5, 100 + visible);
    auto result = samplers::ais_log_partition(*rbm, torch::Tensor(),
                                              samplers::AISOptions().chains(200).betas(3000));
    const double exact = exact_log_partition(*rbm);
    EXPECT_NEAR(result.log_z, exact, 0.05) << visible << "x" << hidden;
    EXPECT_LT(std::abs(result.log_z - exact), 4 * result.log_z_stderr + 0.01);
    EXPECT_GT(result.log_z_stderr, 0);
    // Without data the base is uniform over v, and each of the H free hidden units adds log 2.
    EXPECT_NEAR(result.base_log_z, hidden * std::log(2.0) + visible * std::log(2.0), 1e-9);
  }
}

TEST(AIS, LogPartitionMatchesEnumerationOnATrainedRBM) {
  // A short PCD run on 4x4 bars and stripes leaves a peaked model, the hard case for AIS.
  auto config = experiments::Config::load(std::string(EBM_SOURCE_DIR) + "/experiments/quickstart.yaml",
                                          {"train.steps=20000", "train.log_every=20000", "train.checkpoint_every=0"},
                                          experiments::experiment_schema());
  auto e = experiments::build_experiment(config, "ais_test");
  trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, e.evaluators, e.train_options);
  auto summary = trainer.run();
  ASSERT_GT(summary.final["exact_ll"].get<double>(), -6.0);
  auto& rbm = dynamic_cast<BernoulliRBMImpl&>(*e.model);
  auto result = samplers::ais_log_partition(rbm, e.data->data(), samplers::AISOptions().chains(200).betas(10000));
  const double exact = summary.final["log_z"].get<double>();
  EXPECT_NEAR(result.log_z, exact, 0.1);
  // Reverse AIS from model samples (data rows after 1000 Gibbs sweeps) agrees as closely.
  auto reverse = samplers::reverse_ais_log_partition(rbm, e.data->data(), samplers::AISOptions().chains(200).betas(10000));
  EXPECT_NEAR(reverse.log_z, exact, 0.1);
}

// With a path too short, forward and reverse AIS are biased in opposite directions (Jensen on
// unbiased estimates of Z / Z_0 and Z_0 / Z), so together they bracket log Z. On a random RBM
// whose Gibbs chains mix, 1000 sweeps from data rows reach its equilibrium, the condition of
// the reverse bound. Means of 10 runs of 50 chains and 10 inverse temperatures.
samplers::AISOptions short_path_options() { return samplers::AISOptions().chains(50).betas(10).schedule("linear"); }

TEST(AIS, ForwardAndReverseBracketTheLogPartition) {
  auto rbm = random_rbm(20, 10, 1.0, 120);
  const double exact = exact_log_partition(*rbm);
  const auto rows = torch::bernoulli(torch::full({200, 20}, 0.5));
  double forward = 0, reverse = 0;
  for (int run = 0; run < 10; ++run) {
    const auto short_path = short_path_options();
    forward += samplers::ais_log_partition(*rbm, rows, short_path).log_z / 10;
    reverse += samplers::reverse_ais_log_partition(*rbm, rows, short_path).log_z / 10;
  }
  EXPECT_LT(forward, exact - 0.02) << forward << " " << exact << " " << reverse;
  EXPECT_GT(reverse, exact + 0.02) << forward << " " << exact << " " << reverse;
  // The evaluator reports both, under names that exact_ll's "log_z" cannot overwrite.
  trainers::AISLogLikelihood evaluator(short_path_options());
  const auto m = evaluator.evaluate(*rbm, datasets::Dataset(rows, "rows"));
  for (const char* key : {"ais_ll", "ais_log_z", "ais_log_z_stderr", "ais_ll_reverse", "ais_log_z_reverse", "exact_log_z"}) {
    EXPECT_TRUE(m.contains(key)) << key;
  }
  EXPECT_NEAR(m["exact_log_z"].get<double>(), exact, 1e-9);
  EXPECT_GT(m["ais_ll"].get<double>(), m["ais_ll_reverse"].get<double>() - 0.1);
  // A long path closes the bracket.
  const auto long_path = samplers::AISOptions().chains(200).betas(3000);
  EXPECT_NEAR(samplers::ais_log_partition(*rbm, rows, long_path).log_z, exact, 0.05);
  EXPECT_NEAR(samplers::reverse_ais_log_partition(*rbm, rows, long_path).log_z, exact, 0.05);
}

TEST(PseudoLikelihood, EqualsEnumeratedConditionals) {
  auto rbm = random_rbm(6, 4, 1.0, 7);
  auto data = torch::randint(2, {9, 6}, torch::kFloat32);
  trainers::PseudoLikelihood pl;
  auto metrics = pl.evaluate(*rbm, datasets::Dataset(data, "random"));
  // log p(x_i | x_-i) from the exact joint p(x) over all 2^6 states.
  auto states = all_binary_states(6);
  torch::NoGradGuard no_grad;
  auto log_p = -rbm->energy(states) - exact_log_partition(*rbm);
  auto index = [&](const torch::Tensor& x) {
    int64_t code = 0;
    for (int64_t i = 0; i < 6; ++i) code += static_cast<int64_t>(x[i].item<float>()) << i;
    return code;
  };
  double total = 0;
  for (int64_t n = 0; n < 9; ++n) {
    for (int64_t i = 0; i < 6; ++i) {
      auto flipped = data[n].clone();
      flipped[i] = 1 - flipped[i].item<float>();
      double a = log_p[index(data[n])].item<double>(), b = log_p[index(flipped)].item<double>();
      total += a - std::log(std::exp(a) + std::exp(b));
    }
  }
  EXPECT_NEAR(metrics["pseudo_ll_total"].get<double>(), total / 9, 1e-9);
  EXPECT_NEAR(metrics["pseudo_ll_per_feature"].get<double>(), total / 9 / 6, 1e-9);
}

TEST(Reconstruction, IsTheMeanFieldPassOfItsDefinition) {
  auto rbm = random_rbm(5, 3, 1.0, 8);
  auto data = torch::randint(2, {4, 5}, torch::kFloat32);
  auto metrics = trainers::Reconstruction().evaluate(*rbm, datasets::Dataset(data, "random"));
  torch::NoGradGuard no_grad;
  auto x = data.to(torch::kFloat64);
  auto w = rbm->weight.to(torch::kFloat64), b = rbm->visible_bias.to(torch::kFloat64),
       c = rbm->hidden_bias.to(torch::kFloat64);
  auto r = torch::sigmoid(torch::sigmoid(x.mm(w) + c).mm(w.t()) + b);
  EXPECT_NEAR(metrics["recon_mse"].get<double>(), (x - r).pow(2).mean().item<double>(), 1e-12);
  auto xent = -(x * r.log() + (1 - x) * (1 - r).log()).sum(1).mean().item<double>();
  EXPECT_NEAR(metrics["recon_xent"].get<double>(), xent, 1e-9);
}

}  // namespace
}  // namespace ebm
