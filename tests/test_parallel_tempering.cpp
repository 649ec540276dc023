// Parallel tempering against exact enumeration: every replica samples its tempered model, and on
// a bimodal RBM the β = 1 chain crosses between modes in their exact proportions where block
// Gibbs stays in the mode it started in.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "samplers/block_gibbs.h"
#include "samplers/parallel_tempering.h"
#include "trainers/checkpoint.h"

namespace ebm::samplers {
namespace {

// Exact p_β(v) ∝ exp(β b·v + Σ_j softplus(β (c_j + (v W)_j))) over all visible states.
torch::Tensor tempered_marginal(LayeredRBMImpl& rbm, double beta) {
  torch::NoGradGuard no_grad;
  auto v = all_binary_states(rbm.dim());
  auto log_p = beta * v.mv(rbm.visible_field().to(torch::kFloat64)) +
               torch::softplus(beta * torch::addmm(rbm.hidden_field().to(torch::kFloat64), v, rbm.weight.to(torch::kFloat64))).sum(1);
  return torch::softmax(log_p, 0);
}

torch::Tensor state_codes(const torch::Tensor& v) {
  auto powers = torch::pow(2.0, torch::arange(v.size(1), torch::kFloat64));
  return v.to(torch::kFloat64).mv(powers).to(torch::kLong);
}

TEST(ParallelTempering, EveryReplicaSamplesItsTemperedModel) {
  torch::manual_seed(11);
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(3, 2).init_std(2.0));
  {
    torch::NoGradGuard no_grad;
    rbm->visible_field().copy_(torch::tensor({1.0, -1.5, 0.5}));
    rbm->hidden_field().copy_(torch::tensor({-0.5, 1.0}));
  }
  rbm->to(torch::kFloat64);
  ParallelTemperingSampler pt(ParallelTemperingOptions().temperatures(3).min_beta(0.2));
  const int64_t chains = 30000;
  pt.run(*rbm, torch::zeros({chains, 3}, torch::kFloat64), 40);
  for (int64_t k = 0; k < 3; ++k) {
    auto exact = tempered_marginal(*rbm, pt.betas()[k]);
    auto frequency = torch::bincount(state_codes(pt.replicas()[k]), {}, 8).to(torch::kFloat64) / chains;
    auto five_sigma = 5 * torch::sqrt(exact * (1 - exact) / chains);
    EXPECT_TRUE(((frequency - exact).abs() < five_sigma).all().item<bool>())
        << "replica " << k << " (beta " << pt.betas()[k] << ")\nfrequency " << frequency << "\nexact " << exact;
  }
  // The tempered models differ enough that a sampler ignoring β would fail the check above.
  EXPECT_GT((tempered_marginal(*rbm, 0.2) - tempered_marginal(*rbm, 1.0)).abs().max().item<double>(), 0.05);
  auto stats = samplers::host_statistics(pt);
  ASSERT_EQ(stats.count("swap_rate"), 1u);
  EXPECT_GT(stats["swap_rate"], 0.0);
  EXPECT_LT(stats["swap_rate"], 1.0);
}

TEST(ParallelTempering, NearlyEqualTemperaturesAlwaysSwap) {
  torch::manual_seed(3);
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(6, 4).init_std(1.0));
  ParallelTemperingSampler pt(ParallelTemperingOptions().temperatures(2).min_beta(0.9999));
  pt.run(*rbm, torch::zeros({2000, 6}), 10);
  // The log acceptance ratio is 1e-4 times an energy difference of order 10.
  EXPECT_GT(samplers::host_statistics(pt)["swap_rate"], 0.99);
}

// Two blocks of 8 visible units; hidden unit 0 switches block A on and block B off, hidden unit
// 1 the reverse, each gated by a bias of -a n / 2, so that the modes v = A and v = B lie some
// a n / 2 = 24 nats above the states between them (with a = 6, Gibbs leaves a mode about once in
// 10^7 sweeps). Unit 1's extra bias log 3 makes mode B about three times as probable as mode A.
LayeredRBM bimodal_rbm() {
  const int64_t n = 8;
  const double a = 6.0;
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(2 * n, 2));
  torch::NoGradGuard no_grad;
  auto sign = torch::cat({torch::ones({n}), -torch::ones({n})});
  rbm->weight.copy_(torch::stack({a * sign, -a * sign}, 1));
  rbm->visible_field().zero_();
  rbm->hidden_field().copy_(torch::tensor({-a * n / 2, -a * n / 2 + std::log(3.0)}));
  return rbm;
}

// +1 in mode A (more A units on than B units), -1 in mode B, 0 between.
torch::Tensor mode_of(const torch::Tensor& v) {
  return torch::sign(v.slice(1, 0, 8).sum(1) - v.slice(1, 8, 16).sum(1));
}

TEST(ParallelTempering, VisitsDistantModesInTheirExactProportionsWhereGibbsStays) {
  torch::manual_seed(7);
  auto rbm = bimodal_rbm();
  auto exact = tempered_marginal(*rbm, 1.0);
  auto exact_mode = mode_of(all_binary_states(16).to(torch::kFloat32));
  const double mass_a = exact.masked_select(exact_mode > 0).sum().item<double>();
  const double mass_b = exact.masked_select(exact_mode < 0).sum().item<double>();
  const double exact_share_a = mass_a / (mass_a + mass_b);
  ASSERT_GT(exact_share_a, 0.15);
  ASSERT_LT(exact_share_a, 0.35);

  const int64_t chains = 100, burn_in = 300, draws = 2000;
  auto start = torch::cat({torch::ones({chains, 8}), torch::zeros({chains, 8})}, 1);  // all in mode A
  auto count_visits = [&](Sampler& sampler, torch::Tensor* share_a) {
    auto x = sampler.run(*rbm, start, burn_in);
    auto visited_a = torch::zeros({chains}, torch::kBool), visited_b = torch::zeros({chains}, torch::kBool);
    auto in_a = torch::zeros({chains}), in_b = torch::zeros({chains});
    for (int64_t t = 0; t < draws; ++t) {
      x = sampler.run(*rbm, x, 1);
      auto mode = mode_of(x);
      visited_a |= mode > 0;
      visited_b |= mode < 0;
      in_a += (mode > 0).to(torch::kFloat32);
      in_b += (mode < 0).to(torch::kFloat32);
    }
    *share_a = in_a.sum() / (in_a.sum() + in_b.sum());
    return (visited_a & visited_b).to(torch::kFloat32).mean().item<double>();
  };

  BlockGibbsSampler gibbs;
  torch::Tensor gibbs_share_a;
  EXPECT_EQ(count_visits(gibbs, &gibbs_share_a), 0.0) << "Gibbs crossed a 24-nat barrier";
  EXPECT_GT(gibbs_share_a.item<double>(), 0.99);

  ParallelTemperingSampler pt(ParallelTemperingOptions().temperatures(12).min_beta(0.05));
  torch::Tensor pt_share_a;
  EXPECT_EQ(count_visits(pt, &pt_share_a), 1.0) << "some tempered chain never left mode A";
  EXPECT_NEAR(pt_share_a.item<double>(), exact_share_a, 0.04);
  pt.run(*rbm, start, 100);
  for (double rate : pt.pair_swap_rates()) EXPECT_GT(rate, 0.05);
}

TEST(ParallelTempering, SavedReplicasContinueExactly) {
  torch::manual_seed(2);
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(10, 5).init_std(1.0));
  auto start = torch::zeros({20, 10});
  ParallelTemperingSampler first(ParallelTemperingOptions().temperatures(4));
  auto x = first.run(*rbm, start, 7);
  torch::serialize::OutputArchive out;
  first.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  auto generators = trainers::GeneratorSnapshot::capture();
  auto expected = first.run(*rbm, x, 5);

  ParallelTemperingSampler second(ParallelTemperingOptions().temperatures(4));
  torch::serialize::InputArchive in;
  std::istringstream input(bytes.str());
  in.load_from(input);
  second.load(in);
  generators.restore();
  EXPECT_TRUE(second.run(*rbm, x, 5).equal(expected));
  EXPECT_TRUE(second.replicas().equal(first.replicas()));

  ParallelTemperingSampler wrong(ParallelTemperingOptions().temperatures(5));
  std::istringstream again(bytes.str());
  torch::serialize::InputArchive in_again;
  in_again.load_from(again);
  EXPECT_THROW(wrong.load(in_again), std::invalid_argument);
}

}  // namespace
}  // namespace ebm::samplers
