// Annealed importance sampling, pseudo-likelihood and reconstruction against enumeration and
// closed forms.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "datasets/bars_and_stripes.h"
#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "config/experiment.h"
#include "config/schema.h"
#include "samplers/ais.h"
#include "trainers/annealed_likelihood.h"
#include "trainers/rbm_metrics.h"
#include "support/numerical.h"

namespace ebm {
namespace {

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
    auto rbm = testing::random_rbm(testing::RandomRBMOptions(visible, hidden).seed(100 + visible).weight_std(0.5).bias_std(0.5).dtype(torch::kFloat32));
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
  auto& rbm = dynamic_cast<LayeredRBMImpl&>(*e.model);
  auto result = samplers::ais_log_partition(rbm, e.data->data(), samplers::AISOptions().chains(200).betas(10000));
  const double exact = summary.final["log_z"].get<double>();
  EXPECT_NEAR(result.log_z, exact, 0.1);
  // Reverse AIS from exact model samples agrees as closely.
  auto reverse = samplers::reverse_ais_log_partition(rbm, e.data->data(), exact_samples(rbm, 200),
                                                     samplers::AISOptions().betas(10000));
  EXPECT_NEAR(reverse.log_z, exact, 0.1);
}

// With a path too short, forward and reverse AIS are biased in opposite directions (Jensen on
// unbiased estimates of Z / Z_0 and Z_0 / Z), so together they bracket log Z when the reverse
// chains start at exact samples of the model. Means of 10 runs of 50 chains and 10 inverse
// temperatures.
samplers::AISOptions short_path_options() { return samplers::AISOptions().chains(50).betas(10).schedule("linear"); }

TEST(AIS, ForwardAndReverseFromExactSamplesBracketTheLogPartition) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(20, 10).seed(120).weight_std(1.0).bias_std(0.5).dtype(torch::kFloat32));
  const double exact = exact_log_partition(*rbm);
  const auto rows = torch::bernoulli(torch::full({200, 20}, 0.5));
  double forward = 0, reverse = 0;
  for (int run = 0; run < 10; ++run) {
    const auto short_path = short_path_options();
    forward += samplers::ais_log_partition(*rbm, rows, short_path).log_z / 10;
    reverse += samplers::reverse_ais_log_partition(*rbm, rows, exact_samples(*rbm, 50), short_path).log_z / 10;
  }
  EXPECT_LT(forward, exact - 0.02) << forward << " " << exact << " " << reverse;
  EXPECT_GT(reverse, exact + 0.02) << forward << " " << exact << " " << reverse;
  // The evaluator reports both, repeated, under names that exact_ll's "log_z" cannot overwrite;
  // on an enumerable RBM "auto" starts the reverse chains at exact samples.
  trainers::AISLogLikelihood evaluator(trainers::AnnealingOptions().ais(short_path_options()).repeats(4), rows);
  const auto m = evaluator.evaluate(*rbm, datasets::Dataset(rows, "rows"));
  for (const char* key : {"ais_ll", "ais_ll_spread", "ais_log_z", "ais_log_z_spread", "ais_log_z_stderr", "ais_ess",
                          "ais_ll_reverse", "ais_log_z_reverse", "ais_log_z_reverse_spread", "exact_log_z"}) {
    EXPECT_TRUE(m.contains(key)) << key;
  }
  EXPECT_FALSE(m.contains("ais_ll_reverse_from_data"));
  EXPECT_EQ(m["ais_log_z_repeats"].size(), 4u);
  EXPECT_GT(m["ais_log_z_spread"].get<double>(), 0);
  EXPECT_NEAR(m["exact_log_z"].get<double>(), exact, 1e-9);
  EXPECT_GT(m["ais_ll"].get<double>(), m["ais_ll_reverse"].get<double>() - 0.1);
  EXPECT_LE(m["ais_ess"].get<double>(), 50.0);
  EXPECT_GE(m["ais_ess"].get<double>(), 1.0);
  // A long path closes the bracket.
  const auto long_path = samplers::AISOptions().chains(200).betas(3000);
  EXPECT_NEAR(samplers::ais_log_partition(*rbm, rows, long_path).log_z, exact, 0.05);
  EXPECT_NEAR(samplers::reverse_ais_log_partition(*rbm, rows, exact_samples(*rbm, 200), long_path).log_z, exact, 0.05);
}

TEST(AIS, ReverseFromDataIsReportedUnderItsOwnName) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(12, 30).seed(121).weight_std(0.5).bias_std(0.5).dtype(torch::kFloat32));  // 30 hidden units: enumerable over its 12 visible ones
  const auto rows = torch::bernoulli(torch::full({100, 12}, 0.5));
  const auto options = trainers::AnnealingOptions().ais(short_path_options()).repeats(2).burn_in(5);
  const auto m = trainers::AISLogLikelihood(trainers::AnnealingOptions(options).reverse("data"), rows)
                     .evaluate(*rbm, datasets::Dataset(rows, "rows"));
  for (const char* key : {"ais_ll_reverse_from_data", "ais_log_z_reverse_from_data", "ais_log_z_reverse_from_data_spread"}) {
    EXPECT_TRUE(m.contains(key)) << key;
  }
  EXPECT_FALSE(m.contains("ais_ll_reverse"));
  EXPECT_FALSE(trainers::AISLogLikelihood(trainers::AnnealingOptions(options).reverse("off"), rows)
                   .evaluate(*rbm, datasets::Dataset(rows, "rows"))
                   .contains("ais_ll_reverse_from_data"));
  // Exact samples need an enumerable layer.
  auto wide = testing::random_rbm(testing::RandomRBMOptions(30, 30).seed(122).weight_std(0.1).bias_std(0.5).dtype(torch::kFloat32));
  EXPECT_THROW(trainers::AISLogLikelihood(trainers::AnnealingOptions(options).reverse("exact")).check_model(*wide),
               std::invalid_argument);
}

// Exact samples: the empirical distribution of 40,000 draws against the enumerated p(v), by
// enumerating either layer (6 visible, 4 hidden: the hidden side; 4 visible, 9 hidden: the visible).
TEST(ExactSamples, FollowTheEnumeratedDistribution) {
  for (auto [visible, hidden] : {std::pair{6, 4}, std::pair{4, 9}}) {
    auto rbm = testing::random_rbm(testing::RandomRBMOptions(visible, hidden).seed(130 + visible).weight_std(1.0).bias_std(0.5).dtype(torch::kFloat32));
    torch::manual_seed(131);
    const auto draws = exact_samples(*rbm, 40000);
    ASSERT_EQ(draws.sizes(), (std::vector<int64_t>{40000, visible}));
    const auto counts = torch::bincount(state_indices(draws), {}, int64_t{1} << visible).to(torch::kFloat64) / 40000;
    const auto exact = visible_log_probabilities(*rbm).exp();
    // Total variation of 40,000 draws over 64 states is about 0.02 by chance; 0.04 is far out.
    EXPECT_LT(0.5 * (counts - exact).abs().sum().item<double>(), 0.04) << visible << "x" << hidden;
  }
}

// RAISE's estimate of p_ann(v) is unbiased: with K = 1, 2 and 5 steps, from the uniform base and
// from a data base (b_A the log-odds of some rows' marginals), the annealing model is a product of
// small matrices over the 2^V visible states,
//   p_ann = p_0 T_β1 ... T_βK,   T_β(v' | v) = Σ_h p_β(h | v) p_β(v' | h),   p_0(v) ∝ e^{b_A·v},
// the mean of exp(RAISE) over many walks from each v equals p_ann(v) (everything RAISE promises:
// below log p_ann(v) in expectation, whatever p_ann is), and annealing_model_samples follow p_ann.
TEST(RAISE, IsAnUnbiasedEstimateOfTheAnnealingModelWhoseSamplesWeDraw) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(3, 2).seed(140).weight_std(1.0).bias_std(0.5).dtype(torch::kFloat32));
  torch::NoGradGuard no_grad;
  const auto f64 = torch::kFloat64;
  const auto v = all_binary_states(3), h = all_binary_states(2);
  const auto w = rbm->weight.to(f64), b = rbm->visible_field().to(f64), c = rbm->hidden_field().to(f64);
  const auto base_rows = torch::tensor({1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0}, f64).view({4, 3});  // marginals 3/4, 1/2, 1/4
  for (bool from_data : {false, true}) {
    const auto base_data = from_data ? base_rows : torch::Tensor();
    const auto p = from_data ? base_rows.mean(0) : torch::full({3}, 0.5, f64);
    const auto b_a = torch::log(p / (1 - p));
    auto kernel = [&](double beta) {
      // p_β(h | v) [8, 4] and p_β(v' | h) [4, 8], products of independent Bernoullis.
      auto bern = [](const torch::Tensor& q, const torch::Tensor& x) {  // [N, D], [M, D] -> [N, M]
        return (x.unsqueeze(0) * q.unsqueeze(1) + (1 - x.unsqueeze(0)) * (1 - q.unsqueeze(1))).prod(2);
      };
      return bern(torch::sigmoid(beta * (v.mm(w) + c)), h).mm(bern(torch::sigmoid(beta * (h.mm(w.t()) + b) + (1 - beta) * b_a), v));
    };
    for (int64_t k : {1, 2, 5}) {
      const auto options = samplers::AISOptions().betas(k).schedule("linear");
      const auto betas = samplers::ais_betas(options);
      auto p_ann = torch::softmax(v.mv(b_a), 0).unsqueeze(0);  // the base p_0
      for (int64_t i = 1; i <= k; ++i) p_ann = p_ann.mm(kernel(betas[i].item<double>()));
      const int64_t walks = 200000;
      const auto rows = v.repeat({walks, 1});
      const auto log_p = samplers::raise_log_likelihoods(*rbm, base_data, rows, options).view({walks, 8});
      const auto mean = log_p.exp().mean(0), stderr_of_mean = log_p.exp().std(0) / std::sqrt(static_cast<double>(walks));
      const std::string where = "K=" + std::to_string(k) + (from_data ? " data base" : " uniform base");
      for (int64_t s = 0; s < 8; ++s) {  // within four standard errors of the walks' mean
        EXPECT_NEAR(mean[s].item<double>(), p_ann[0][s].item<double>(), 4 * stderr_of_mean[s].item<double>()) << where << " state " << s;
        EXPECT_LT(stderr_of_mean[s].item<double>(), 0.01 * p_ann[0][s].item<double>()) << where << " state " << s;  // a sharp check
      }
      // Jensen: the mean log is below log p_ann(v).
      EXPECT_LT(log_p.mean(0).sub(p_ann[0].log()).max().item<double>(), 0) << where;
      // annealing_model_samples draws from that p_ann: total variation of 100,000 draws over 8
      // states is about 0.004 by chance.
      const auto draws = samplers::annealing_model_samples(*rbm, base_data, 100000, options);
      const auto frequencies = torch::bincount(state_indices(draws), {}, 8).to(f64) / 100000;
      EXPECT_LT(0.5 * (frequencies - p_ann[0]).abs().sum().item<double>(), 0.01) << where;
    }
  }
}

// With many betas p_ann tends to the model: RAISE approaches the exact log p(v) from below.
TEST(RAISE, ApproachesTheExactLogLikelihoodFromBelow) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(20, 10).seed(150).weight_std(0.5).bias_std(0.5).dtype(torch::kFloat32));
  const auto rows = exact_samples(*rbm, 200);
  const double exact = mean_log_likelihood(*rbm, rows, exact_log_partition(*rbm));
  trainers::RAISELogLikelihood few(trainers::AnnealingOptions().ais(samplers::AISOptions().betas(10)).repeats(3));
  trainers::RAISELogLikelihood many(trainers::AnnealingOptions().ais(samplers::AISOptions().betas(3000)).repeats(3));
  const auto coarse = few.evaluate(*rbm, datasets::Dataset(rows, "rows"));
  const auto fine = many.evaluate(*rbm, datasets::Dataset(rows, "rows"));
  // Below within its noise: the spread of the repeats (a mean of 200 rows' single walks).
  for (const auto& m : {coarse, fine}) {
    for (const auto& r : m["raise_ll_repeats"]) EXPECT_LT(r.get<double>(), exact + 2 * m["raise_ll_spread"].get<double>()) << m.dump();
  }
  EXPECT_LT(coarse["raise_ll"].get<double>(), exact - 0.1) << coarse.dump();
  EXPECT_NEAR(fine["raise_ll"].get<double>(), exact, 0.05) << fine.dump();
  EXPECT_EQ(fine["raise_rows"].get<int64_t>(), 200);
}

TEST(PseudoLikelihood, EqualsEnumeratedConditionals) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(6, 4).seed(7).weight_std(1.0).bias_std(0.5).dtype(torch::kFloat32));
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
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(5, 3).seed(8).weight_std(1.0).bias_std(0.5).dtype(torch::kFloat32));
  auto data = torch::randint(2, {4, 5}, torch::kFloat32);
  auto metrics = trainers::Reconstruction().evaluate(*rbm, datasets::Dataset(data, "random"));
  torch::NoGradGuard no_grad;
  auto x = data.to(torch::kFloat64);
  auto w = rbm->weight.to(torch::kFloat64), b = rbm->visible_field().to(torch::kFloat64),
       c = rbm->hidden_field().to(torch::kFloat64);
  auto r = torch::sigmoid(torch::sigmoid(x.mm(w) + c).mm(w.t()) + b);
  EXPECT_NEAR(metrics["recon_mse"].get<double>(), (x - r).pow(2).mean().item<double>(), 1e-12);
  auto xent = -(x * r.log() + (1 - x) * (1 - r).log()).sum(1).mean().item<double>();
  EXPECT_NEAR(metrics["recon_xent"].get<double>(), xent, 1e-9);
}

}  // namespace
}  // namespace ebm
