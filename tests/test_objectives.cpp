// Objectives against closed forms: score matching and maximum likelihood share the Gaussian's
// optimum; sliced score matching averages to the exact objective; denoising score matching with
// small noise has the exact objective's gradient; NCE recovers a Gaussian's mean, variance and
// log Z; pseudo-likelihood, ratio matching and MPF match enumeration and finite differences.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "datasets/dataset.h"
#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "ebm/gaussian.h"
#include "ebm/mlp_energy.h"
#include "trainers/bit_flip_objectives.h"
#include "trainers/nce.h"
#include "trainers/rbm_metrics.h"
#include "trainers/optimizer.h"
#include "trainers/score_matching.h"
#include "trainers/trainer.h"
#include "support/numerical.h"

namespace ebm::trainers {
namespace {

torch::Tensor correlated_data(int64_t n) {
  auto l = torch::tensor({{0.8, 0.0}, {0.5, 0.4}}, torch::kFloat64);
  return torch::tensor({1.0, -0.5}, torch::kFloat64) + torch::randn({n, 2}, torch::kFloat64).mm(l.t());
}

std::vector<torch::Tensor> gradient(Objective& objective, EnergyModelImpl& model, const torch::Tensor& x) {
  std::vector<torch::Tensor> params;
  for (auto& p : model.parameters()) params.push_back(p);
  auto loss = objective.compute(model, x).loss;
  return torch::autograd::grad({loss}, params, {}, false, false, /*allow_unused=*/true);
}

TEST(ScoreMatching, GaussianOptimumIsTheSampleMeanAndCovarianceLikeMaximumLikelihood) {
  torch::manual_seed(1);
  auto x = correlated_data(3000);
  auto mean = x.mean(0);
  auto centred = x - mean;
  auto covariance = centred.t().mm(centred) / x.size(0);  // the MLE
  ExactScoreMatching sm;
  // At the maximum-likelihood point the score-matching gradient vanishes exactly.
  auto at_mle = Gaussian(mean, torch::linalg_cholesky(covariance));
  for (const auto& g : gradient(sm, *at_mle, x)) EXPECT_LT(g.abs().max().item<double>(), 1e-9);
  // And training from N(0, I) reaches it.
  auto model = Gaussian(torch::zeros({2}, torch::kFloat64), torch::eye(2, torch::kFloat64));
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(0.02));
  for (int step = 0; step < 2000; ++step) {
    adam.zero_grad();
    sm.compute(*model, x).loss.backward();
    adam.step();
  }
  EXPECT_LT((model->mean - mean).abs().max().item<double>(), 1e-3);
  EXPECT_LT((model->covariance() - covariance).abs().max().item<double>(), 1e-3);
}

TEST(ScoreMatching, SlicedObjectiveAveragesToTheExactOne) {
  torch::manual_seed(2);
  auto mlp = MLPEnergy(MLPEnergyOptions(3, {16}).activation("tanh"));
  mlp->to(torch::kFloat64);
  auto x = torch::randn({4, 3}, torch::kFloat64);
  const double exact = ExactScoreMatching().compute(*mlp, x).loss.item<double>();
  for (bool reduced : {true, false}) {
    for (const char* distribution : {"gaussian", "rademacher"}) {
      SlicedScoreMatching ssm(SlicedScoreMatchingOptions().projections(20000).distribution(distribution).variance_reduced(reduced));
      EXPECT_NEAR(ssm.compute(*mlp, x).loss.item<double>(), exact, 0.02 * std::abs(exact) + 0.01)
          << distribution << " reduced " << reduced;
    }
  }
}

TEST(ScoreMatching, DenoisingHasTheExactGradientOfTheSmoothedData) {
  torch::manual_seed(3);
  auto x = correlated_data(200);
  auto model = Gaussian(torch::tensor({0.3, 0.1}, torch::kFloat64), torch::tensor({{1.2, 0.0}, {0.3, 0.9}}, torch::kFloat64));
  const double sigma = 0.15;
  // Score matching of a Gaussian sees only the data's mean and covariance, so the σ-smoothed
  // data (covariance S + σ² I) is matched exactly by the points x ± σ√D e_k.
  const double s = sigma * std::sqrt(2.0);
  std::vector<torch::Tensor> spread;
  for (int64_t k = 0; k < 2; ++k) {
    auto e = torch::zeros({2}, torch::kFloat64);
    e[k] = s;
    spread.push_back(x + e);
    spread.push_back(x - e);
  }
  ExactScoreMatching sm;
  auto exact = gradient(sm, *model, torch::cat(spread));
  DenoisingScoreMatching dsm(DenoisingScoreMatchingOptions().noise_std(sigma));
  auto denoising = gradient(dsm, *model, x.repeat({5000, 1}));  // a million noise draws
  for (size_t i = 0; i < exact.size(); ++i) {
    // The σ²-weighted loss has σ² times the gradient of score matching on the smoothed data.
    auto scaled = denoising[i] / (sigma * sigma);
    EXPECT_LT((scaled - exact[i]).norm().item<double>(), 0.03 * exact[i].norm().item<double>() + 1e-3)
        << i << "\n" << scaled << "\n" << exact[i];
  }
  // Smoothing matters at this σ: the plain data's gradient differs by more than the tolerance.
  auto plain = gradient(sm, *model, x);
  double largest_shift = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    largest_shift = std::max(largest_shift, (plain[i] - exact[i]).norm().item<double>() / exact[i].norm().item<double>());
  }
  EXPECT_GT(largest_shift, 0.06);  // twice the tolerance above
}

// E(x) = (x - m)^2 / (2 s^2) on the line: log Z = log(sqrt(2 pi) s).
class UnnormalisedGaussian : public EnergyModelImpl {
 public:
  UnnormalisedGaussian() {
    mean = register_parameter("mean", torch::zeros({1}, torch::kFloat64));
    log_std = register_parameter("log_std", torch::zeros({1}, torch::kFloat64));
  }
  torch::Tensor energy(const torch::Tensor& x) override {
    return ((x - mean).pow(2) * torch::exp(-2 * log_std) / 2).sum(1);
  }
  int64_t dim() const override { return 1; }
  Domain domain() const override { return Domain::Continuous; }
  std::string type_name() const override { return "unnormalised_gaussian"; }
  torch::Tensor mean, log_std;
};

// Through the real training loop: the trainer must clear and clip the gradient of the learnt
// normaliser c too, which the optimiser holds beside the model's parameters (a trainer that
// cleared only the model's let c's gradient pile up over the steps).
TEST(NCE, RecoversTheMeanVarianceAndLogPartitionOfAGaussianThroughTheTrainer) {
  torch::manual_seed(4);
  auto data = 1.5 + 0.7 * torch::randn({20000, 1}, torch::kFloat64);
  auto noise = Gaussian(torch::tensor({1.0}, torch::kFloat64), torch::tensor({{1.5}}, torch::kFloat64));
  auto nce = std::make_shared<NoiseContrastiveEstimation>(noise.ptr(), NCEOptions().noise_ratio(4));
  auto model = std::make_shared<UnnormalisedGaussian>();
  auto params = model->parameters();
  for (auto& p : nce->parameters()) params.push_back(p);
  Trainer trainer(model, nce, make_adam(params, torch::optim::AdamOptions(0.02), 0), datasets::Dataset(data, "gaussian"), {},
                  TrainerOptions().steps(3000).batch_size(2000).log_every(3000).grad_clip(100));
  trainer.run();
  EXPECT_NEAR(model->mean.item<double>(), 1.5, 0.03);
  EXPECT_NEAR(std::exp(model->log_std.item<double>()), 0.7, 0.03);
  // At the optimum the learnt normaliser is log Z of exp(-E) at the learnt parameters.
  const double log_z = std::log(std::sqrt(2 * M_PI) * std::exp(model->log_std.item<double>()));
  EXPECT_NEAR(nce->log_normaliser(), log_z, 0.02);
  EXPECT_NEAR(nce->log_normaliser(), std::log(std::sqrt(2 * M_PI) * 0.7), 0.05);
}

// F(v) = -log Σ_h exp(-E(v, h)) by enumerating h, independent of the RBM's closed form.
torch::Tensor enumerated_free_energy(LayeredRBMImpl& rbm, const torch::Tensor& v) {
  auto hs = all_binary_states(rbm.num_hidden());
  std::vector<torch::Tensor> columns;
  for (int64_t k = 0; k < hs.size(0); ++k) columns.push_back(-rbm.joint_energy(v, hs[k].expand({v.size(0), hs.size(1)})));
  return -torch::logsumexp(torch::stack(columns, 1), 1);
}

TEST(BitFlipObjectives, ValuesMatchEnumerationAndGradientsMatchFiniteDifferences) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(5, 3).seed(5).bias_std(0.5));
  auto x = torch::randint(0, 2, {7, 5}).to(torch::kFloat64);
  torch::Tensor delta;
  {
    torch::NoGradGuard no_grad;
    auto f = enumerated_free_energy(*rbm, x);
    std::vector<torch::Tensor> columns;
    for (int64_t i = 0; i < 5; ++i) {
      auto flipped = x.clone();
      flipped.select(1, i).fill_(1).sub_(x.select(1, i));
      columns.push_back(f - enumerated_free_energy(*rbm, flipped));
    }
    delta = torch::stack(columns, 1);
  }
  const std::map<std::string, double> expected = {
      {"pseudo_likelihood", torch::softplus(delta).sum(1).mean().item<double>()},
      {"ratio_matching", torch::sigmoid(delta).pow(2).sum(1).mean().item<double>()},
      {"mpf", torch::exp(delta / 2).sum(1).mean().item<double>()}};
  for (const auto& [kind, value] : expected) {
    BitFlipObjective objective(kind);
    EXPECT_NEAR(objective.compute(*rbm, x).loss.item<double>(), value, 1e-10) << kind;
    // Autograd against central differences of the objective.
    testing::expect_gradients_match_finite_differences([&] { return objective.compute(*rbm, x).loss; },
                                                       rbm->parameters(), 1e-6, 1e-6, kind);
  }
  // Pseudo-likelihood is the negative of the evaluator's total conditional log-likelihood.
  datasets::Dataset data(x, "random");
  EXPECT_NEAR(BitFlipObjective("pseudo_likelihood").compute(*rbm, x).loss.item<double>(),
              -PseudoLikelihood().evaluate(*rbm, data)["pseudo_ll_total"].get<double>(), 1e-9);
}

}  // namespace
}  // namespace ebm::trainers
