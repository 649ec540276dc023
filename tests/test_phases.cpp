// The phase decomposition against exact references: finite differences of log Z and of the
// exact log-likelihood, a closed-form Gaussian, and hand-computable comparison statistics.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "trainers/phases.h"
#include "support/numerical.h"

namespace ebm::trainers {
namespace {

// Central differences of f over every element of every parameter (ebm/finite_differences.h).
NamedTensors finite_difference(EnergyModelImpl& model, const std::function<double()>& f, double h = 1e-5) {
  NamedTensors out;
  for (auto& item : model.named_parameters()) {
    auto scalar = [&] { return torch::tensor(f(), torch::kFloat64); };
    out.emplace_back(item.key(), central_differences(item.value(), scalar, h).reshape(item.value().sizes()));
  }
  return out;
}

void expect_close(const NamedTensors& a, const NamedTensors& b, double tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_LT((a[i].second - b[i].second).abs().max().item<double>(), tolerance)
        << a[i].first << "\n" << a[i].second << "\n" << b[i].second;
  }
}

// Enumerating the hidden layer (H <= V) and the visible layer (V < H) must agree with -d log Z.
TEST(Phases, ExactNegativePhaseIsMinusTheFiniteDifferenceGradientOfLogZ) {
  for (auto [visible, hidden] : {std::pair<int64_t, int64_t>{6, 4}, {4, 7}}) {
    auto rbm = testing::random_rbm(testing::RandomRBMOptions(visible, hidden).seed(3));
    auto exact = exact_negative_phase(*rbm);
    auto fd = finite_difference(*rbm, [&] { return -exact_log_partition(*rbm); });
    expect_close(exact, fd, 1e-7);
  }
}

TEST(Phases, PositivePlusExactNegativeIsTheLogLikelihoodGradient) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(5, 3).seed(8));
  auto batch = torch::randint(0, 2, {9, 5}).to(torch::kFloat64);
  NamedTensors total = positive_phase(*rbm, batch);
  auto negative = exact_negative_phase(*rbm);
  for (size_t i = 0; i < total.size(); ++i) total[i].second = total[i].second + negative[i].second;
  auto fd = finite_difference(*rbm, [&] { return mean_log_likelihood(*rbm, batch, exact_log_partition(*rbm)); });
  expect_close(total, fd, 1e-7);
}

TEST(Phases, SampledNegativePhaseAveragesToTheExactOne) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(4, 3).seed(5));
  torch::Tensor probabilities;
  {
    torch::NoGradGuard no_grad;
    probabilities = torch::softmax(-rbm->energy(all_binary_states(4)), 0);
  }
  const int64_t n = 400000;
  auto samples = all_binary_states(4).index_select(0, torch::multinomial(probabilities, n, /*replacement=*/true));
  auto sampled = sampled_negative_phase(*rbm, samples);
  auto exact = exact_negative_phase(*rbm);
  // Each component is a mean of n bounded terms (|dF/dθ| <= 1): its error is below 5/sqrt(n).
  expect_close(sampled, exact, 5.0 / std::sqrt(static_cast<double>(n)));
}

// E(x) = |x - m|^2 exp(-2 s) / 2 on the plane: E_model[dE/dm] = 0 and E_model[dE/ds] = -2.
class IsotropicGaussian : public EnergyModelImpl {
 public:
  IsotropicGaussian() {
    mean = register_parameter("mean", torch::tensor({0.3, -0.2}, torch::kFloat64));
    log_scale = register_parameter("log_scale", torch::tensor(0.1, torch::kFloat64));
  }
  torch::Tensor energy(const torch::Tensor& x) override {
    return 0.5 * (x - mean).pow(2).sum(1) * torch::exp(-2 * log_scale);
  }
  int64_t dim() const override { return 2; }
  Domain domain() const override { return Domain::Continuous; }
  std::string type_name() const override { return "isotropic_gaussian"; }
  torch::Tensor mean, log_scale;
};

TEST(Phases, GridQuadratureGivesTheClosedFormNegativePhase) {
  IsotropicGaussian model;
  EXPECT_FALSE(exact_negative_phase_unavailable(model, std::nullopt).empty());
  auto exact = exact_negative_phase(model, QuadratureGrid().lo(-8).hi(8).resolution(400));
  ASSERT_EQ(exact.size(), 2u);
  EXPECT_LT(exact[0].second.abs().max().item<double>(), 1e-6);
  EXPECT_NEAR(exact[1].second.item<double>(), -2.0, 1e-4);
}

TEST(Phases, ComparisonStatisticsMatchTheirDefinitions) {
  // g = positive + exact negative = (1, 0); estimates scatter ±s on the second axis, unbiased
  // except for a shift b on the first.
  const double s = 0.5, b = 0.1;
  NamedTensors positive = {{"w", torch::tensor({1.0, 0.0}, torch::kFloat64)}};
  NamedTensors exact = {{"w", torch::tensor({0.0, 0.0}, torch::kFloat64)}};
  std::vector<NamedTensors> estimates;
  const int repeats = 10;
  for (int r = 0; r < repeats; ++r) {
    estimates.push_back({{"w", torch::tensor({b, r % 2 == 0 ? s : -s}, torch::kFloat64)}});
  }
  auto c = compare_to_exact(estimates, positive, exact);
  EXPECT_NEAR(c.relative_bias, b, 1e-12);
  EXPECT_NEAR(c.relative_std, s * std::sqrt(repeats / (repeats - 1.0)), 1e-12);
  EXPECT_NEAR(c.relative_bias_noise, s / std::sqrt(repeats - 1.0), 1e-12);
  EXPECT_NEAR(c.cosine_to_exact, (1 + b) / std::sqrt((1 + b) * (1 + b) + s * s), 1e-12);
  EXPECT_THROW(compare_to_exact({estimates[0]}, positive, exact), std::invalid_argument);
}

TEST(Phases, ModelsWithoutAnExactNegativePhaseAreRefusedByName) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(30, 30).seed(1));
  try {
    exact_negative_phase(*rbm);
    FAIL() << "a 30x30 RBM was enumerated";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bernoulli_rbm"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ebm::trainers
