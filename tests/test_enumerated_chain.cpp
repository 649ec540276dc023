// The exact pieces the failure-mode catalogue stands on, each against an independent reference:
// the enumerated Gibbs chain (stationarity, sampled transitions), the expected CD-k update (its
// k -> infinity limit is the exact gradient), the exact-gradient objective (against the phases),
// the off-data mass, Gaussian coordinate Gibbs (its stationary covariance) and list config keys.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "datasets/bars_and_stripes.h"
#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "ebm/gaussian.h"
#include "config/config.h"
#include "experiments/study_support.h"
#include "samplers/block_gibbs.h"
#include "samplers/enumerated_chain.h"
#include "samplers/gaussian_gibbs.h"
#include "trainers/exact_likelihood.h"
#include "trainers/exact_log_likelihood.h"
#include "trainers/phases.h"
#include "support/numerical.h"

namespace ebm {
namespace {

TEST(EnumeratedChain, TransitionRowsSumToOneAndTheModelIsStationary) {
  torch::set_num_threads(1);
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(5, 4).seed(1));
  auto t = samplers::gibbs_transition_matrix(*rbm);
  ASSERT_EQ(t.size(0), 32);
  EXPECT_LT((t.sum(1) - 1).abs().max().item<double>(), 1e-12);
  auto p = visible_log_probabilities(*rbm).exp();
  EXPECT_NEAR(p.sum().item<double>(), 1.0, 1e-12);
  EXPECT_LT((samplers::advance(p, t, 1) - p).abs().max().item<double>(), 1e-12);
  // From any start, many steps reach the model's distribution.
  auto start = torch::zeros({32}, torch::kFloat64);
  start[7] = 1.0;
  EXPECT_LT(samplers::total_variation(samplers::advance(start, t, 500), p), 1e-9);
}

TEST(EnumeratedChain, TransitionMatchesSampledGibbsSteps) {
  torch::set_num_threads(1);
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(4, 3).seed(2));
  auto t = samplers::gibbs_transition_matrix(*rbm);
  const int64_t from = 5, n = 40000;
  auto starts = binary_states(4, from, from + 1).expand({n, 4}).contiguous();
  samplers::BlockGibbsSampler gibbs;
  auto after = samplers::empirical_distribution(gibbs.run(*rbm, starts, 1));
  auto exact = t[from];
  // Each state's share within 5 binomial standard errors.
  auto se = (exact * (1 - exact) / static_cast<double>(n)).sqrt() + 1e-12;
  EXPECT_LT(((after - exact).abs() / se).max().item<double>(), 5.0);
}

TEST(EnumeratedChain, StateIndicesInvertBinaryStates) {
  auto states = all_binary_states(6);
  EXPECT_TRUE(torch::equal(state_indices(states), torch::arange(64, torch::kInt64)));
}

TEST(ExpectedCdUpdate, ApproachesTheExactGradientAsKGrows) {
  torch::set_num_threads(1);
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(4, 3).seed(3));
  auto data = datasets::bars_and_stripes(2).data().to(torch::kFloat64);
  auto exact = experiments::flatten(experiments::expected_cd_update(*rbm, data, -1));
  auto gradient = experiments::flatten(trainers::positive_phase(*rbm, data));
  gradient += experiments::flatten(trainers::exact_negative_phase(*rbm));
  EXPECT_LT((exact - gradient).abs().max().item<double>(), 1e-12);
  const double bias1 = (experiments::flatten(experiments::expected_cd_update(*rbm, data, 1)) - exact).norm().item<double>();
  const double bias_long = (experiments::flatten(experiments::expected_cd_update(*rbm, data, 2000)) - exact).norm().item<double>();
  EXPECT_GT(bias1, 1e-3);
  EXPECT_LT(bias_long, 1e-10);
}

TEST(ExactLikelihoodObjective, ItsGradientIsMinusPositivePlusExactNegative) {
  torch::set_num_threads(1);
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(6, 4).seed(4));
  auto data = datasets::bars_and_stripes(2).data().to(torch::kFloat64);
  data = torch::cat({data, data.slice(1, 0, 2)}, 1);  // 6 visible units
  trainers::ExactLikelihood objective;
  auto terms = objective.compute(*rbm, data);
  const double nll = -mean_log_likelihood(*rbm, data, exact_log_partition(*rbm));
  EXPECT_NEAR(terms.loss.item<double>(), nll, 1e-12);
  std::vector<torch::Tensor> params;
  for (auto& p : rbm->parameters()) params.push_back(p);
  auto grads = torch::autograd::grad({terms.loss}, params);
  auto positive = trainers::positive_phase(*rbm, data), negative = trainers::exact_negative_phase(*rbm);
  for (size_t i = 0; i < grads.size(); ++i) {
    EXPECT_LT((grads[i] + positive[i].second + negative[i].second).abs().max().item<double>(), 1e-10) << positive[i].first;
  }
}

TEST(OffDataMass, IsOneMinusTheDataPatternsProbability) {
  torch::set_num_threads(1);
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(4, 3).seed(5));
  auto data = datasets::bars_and_stripes(2);
  auto p = visible_log_probabilities(*rbm).exp();
  auto unique = std::get<0>(torch::_unique(state_indices(data.data())));
  const double on_data = p.index({unique}).sum().item<double>();
  trainers::OffDataMass evaluator;
  auto m = evaluator.evaluate(*rbm, data);
  EXPECT_NEAR(m["off_data_mass"].get<double>(), 1 - on_data, 1e-12);
}

TEST(GaussianGibbs, LeavesTheGaussianInvariant) {
  torch::set_num_threads(1);
  torch::manual_seed(6);
  auto covariance = torch::tensor({2.0, 0.9, 0.3, 0.9, 1.0, -0.2, 0.3, -0.2, 0.5}, torch::kFloat64).view({3, 3});
  auto mean = torch::tensor({1.0, -2.0, 0.5}, torch::kFloat64);
  Gaussian target(mean, torch::linalg_cholesky(covariance));
  samplers::GaussianGibbsSampler gibbs;
  auto x = gibbs.run(*target, torch::zeros({20000, 3}, torch::kFloat64), 60);
  auto centred = x - x.mean(0);
  auto sample_cov = centred.t().mm(centred) / static_cast<double>(x.size(0) - 1);
  // Standard error of a covariance entry with 20000 independent draws is below 0.02 here.
  EXPECT_LT((sample_cov - covariance).abs().max().item<double>(), 0.06);
  EXPECT_LT((x.mean(0) - mean).abs().max().item<double>(), 0.05);
  LayeredRBM rbm(LayeredRBMOptions::bernoulli(3, 2));
  EXPECT_THROW(gibbs.run(*rbm, torch::zeros({1, 3}), 1), std::invalid_argument);
}

TEST(ConfigLists, ValidateEachElementAndNameIt) {
  using namespace experiments;
  Field schema = section("", {list("ks", values<int64_t>({1, 3}), integer("k", required(), 1, 100, "steps"), "ks")}, "s");
  EXPECT_EQ(Config::parse("", "t.yaml", {}, schema).get<std::vector<int64_t>>("ks"), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Config::parse("ks: [2, 5, 9]\n", "t.yaml", {}, schema).get<std::vector<int64_t>>("ks"),
            (std::vector<int64_t>{2, 5, 9}));
  EXPECT_EQ(Config::parse("", "t.yaml", {"ks=[4]"}, schema).get<std::vector<int64_t>>("ks"), (std::vector<int64_t>{4}));
  try {
    Config::parse("ks: [2, 500]\n", "t.yaml", {}, schema);
    FAIL() << "an element out of range was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("t.yaml:1:9: ks[1] = '500' is out of range"), std::string::npos) << e.what();
  }
  try {
    Config::parse("ks: []\n", "t.yaml", {}, schema);
    FAIL() << "an empty list was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("ks is empty; it needs at least one element"), std::string::npos) << e.what();
  }
  try {
    Config::parse("ks: 3\n", "t.yaml", {}, schema);
    FAIL() << "a scalar was accepted as a list";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("ks must be a list in brackets"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ebm
