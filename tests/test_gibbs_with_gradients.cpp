// Gibbs-with-Gradients (samplers/gibbs_with_gradients.h) and random-scan Gibbs (random_walk.h's
// heat bath) leave the exact law invariant, checked by enumeration: on binary data with an MLP
// energy (no conditionals in closed form, so only a gradient-informed or single-site sampler
// applies) and on one-hot categorical data with a Potts-like quadratic energy. The RBM case is in
// test_conformance.cpp with every registered sampler.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ebm/exact_enumeration.h"
#include "ebm/mlp_energy.h"
#include "samplers/gibbs_with_gradients.h"
#include "samplers/random_walk.h"
#include "support/numerical.h"

namespace ebm {
namespace {

// E(x) = -(x^T A x + b^T x) over rows of V one-hot groups of K columns: a Potts model's energy
// with couplings A [V K, V K] and fields b, differentiable in x.
class QuadraticEnergyImpl : public EnergyModelImpl {
 public:
  QuadraticEnergyImpl(torch::Tensor couplings, torch::Tensor fields) : a_(std::move(couplings)), b_(std::move(fields)) {}
  torch::Tensor energy(const torch::Tensor& x) override { return -((x.matmul(a_) * x).sum(1) + x.matmul(b_)); }
  int64_t dim() const override { return a_.size(0); }
  Domain domain() const override { return Domain::Binary; }
  std::string type_name() const override { return "quadratic"; }

 private:
  torch::Tensor a_, b_;
};
TORCH_MODULE(QuadraticEnergy);

// Each row of `states` ([S, D]) as its index in `all` ([S', D]); counts of the indices.
torch::Tensor counts_of(const torch::Tensor& states, const torch::Tensor& all) {
  const auto same = (states.unsqueeze(1) - all.unsqueeze(0)).abs().sum(2).eq(0);  // [S, S']
  EXPECT_TRUE(same.sum(1).eq(1).all().item<bool>()) << "a sampled state is not one of the enumerated ones";
  return same.to(torch::kFloat64).sum(0);
}

torch::Tensor exact_law(EnergyModelImpl& model, const torch::Tensor& all) {
  torch::NoGradGuard no_grad;
  const auto e = model.energy(all).to(torch::kFloat64);
  return torch::softmax(-e, 0);
}

// Binary units, an MLP energy on 6 units (64 states): chains from uniform starts after 200
// proposals pass the chi-square test against exp(-E) / Z, for both samplers.
TEST(GibbsWithGradients, BinaryChainsDrawTheEnumeratedLawOfAnMLPEnergy) {
  torch::set_num_threads(2);
  torch::manual_seed(11);
  MLPEnergy mlp(MLPEnergyOptions(6, {16}).domain(Domain::Binary));
  mlp->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : mlp->parameters()) p.mul_(3);  // a law far from uniform
  }
  const auto all = all_binary_states(6);
  const auto law = exact_law(*mlp, all);
  ASSERT_GT(law.max().item<double>() / law.min().item<double>(), 20.0);
  const int64_t chains = 20000;
  samplers::GibbsWithGradientsSampler gwg;
  samplers::RandomWalkSampler heat_bath(samplers::RandomWalkOptions().heat_bath(true));
  for (samplers::Sampler* sampler : std::vector<samplers::Sampler*>{&gwg, &heat_bath}) {
    const auto start = torch::randint(2, {chains, 6}, torch::kFloat64);
    const auto x = sampler->run(*mlp, start, 200);
    const auto [statistic, quantile] = testing::chi_square(counts_of(x, all), law * chains);
    EXPECT_LT(statistic, quantile) << sampler->name();
    const double rate = samplers::host_statistics(*sampler).at("acceptance_rate");
    EXPECT_GT(rate, 0.05) << sampler->name();
    EXPECT_LT(rate, 1.0) << sampler->name();
  }
}

// One-hot data, 3 variables of 3 categories (27 states), strong random couplings: GwG's chains
// from random one-hot starts pass the chi-square test and every row stays one-hot.
TEST(GibbsWithGradients, CategoricalChainsDrawTheEnumeratedLawOfAPottsEnergy) {
  torch::set_num_threads(2);
  torch::manual_seed(12);
  const int64_t v = 3, k = 3;
  auto a = torch::randn({v * k, v * k}, torch::kFloat64);
  a = (a + a.t()) * 0.6;
  QuadraticEnergy potts(a, torch::randn({v * k}, torch::kFloat64));
  // Every state: each variable's category, one-hot.
  std::vector<torch::Tensor> rows;
  for (int64_t code = 0; code < 27; ++code) {
    auto row = torch::zeros({v * k}, torch::kFloat64);
    for (int64_t j = 0, c = code; j < v; ++j, c /= k) row[j * k + c % k] = 1;
    rows.push_back(row);
  }
  const auto all = torch::stack(rows);
  const auto law = exact_law(*potts, all);
  const int64_t chains = 20000;
  const auto start = all.index_select(0, torch::randint(27, {chains}, torch::kLong));
  samplers::GibbsWithGradientsSampler gwg(samplers::GibbsWithGradientsOptions().categories(k));
  const auto x = gwg.run(*potts, start, 100);
  EXPECT_TRUE(x.view({chains, v, k}).sum(2).eq(1).all().item<bool>());
  const auto [statistic, quantile] = testing::chi_square(counts_of(x, all), law * chains);
  EXPECT_LT(statistic, quantile);
  EXPECT_THROW(gwg.run(*potts, torch::ones({2, v * k}, torch::kFloat64), 1), std::invalid_argument);
  EXPECT_THROW(samplers::GibbsWithGradientsSampler(samplers::GibbsWithGradientsOptions().categories(1)), std::invalid_argument);
}

}  // namespace
}  // namespace ebm
