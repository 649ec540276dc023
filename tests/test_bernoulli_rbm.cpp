// The RBM's free energies, conditionals and exact log Z against brute-force enumeration.
#include <gtest/gtest.h>
#include <cmath>
#include <limits>
#include <torch/torch.h>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "support/numerical.h"

namespace ebm {
namespace {

// -log sum_h exp(-E(v, h)) by explicit sum over every h, for each row of v.
torch::Tensor brute_free_energy(LayeredRBMImpl& rbm, const torch::Tensor& v) {
  auto hs = all_binary_states(rbm.num_hidden());
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < v.size(0); ++i) {
    auto vi = v[i].unsqueeze(0).expand({hs.size(0), v.size(1)});
    rows.push_back(-torch::logsumexp(-rbm.joint_energy(vi, hs), 0));
  }
  return torch::stack(rows);
}

TEST(LayeredRBM, FreeEnergyEqualsSumOverHiddenStates) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(5, 4).seed(1).weight_std(1).bias_std(1));
  auto vs = all_binary_states(5);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(rbm->energy(vs), brute_free_energy(*rbm, vs), 1e-12, 1e-12));
}

TEST(LayeredRBM, HiddenFreeEnergyEqualsSumOverVisibleStates) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(4, 5).seed(2).weight_std(1).bias_std(1));
  auto vs = all_binary_states(4), hs = all_binary_states(5);
  torch::NoGradGuard no_grad;
  for (int64_t j = 0; j < hs.size(0); ++j) {
    auto hj = hs[j].unsqueeze(0).expand({vs.size(0), 5});
    double expected = -torch::logsumexp(-rbm->joint_energy(vs, hj), 0).item<double>();
    EXPECT_NEAR(rbm->hidden_free_energy(hs[j].unsqueeze(0)).item<double>(), expected, 1e-12);
  }
}

TEST(LayeredRBM, ConditionalsEqualEnumeratedMarginals) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(4, 3).seed(3).weight_std(1).bias_std(1));
  auto vs = all_binary_states(4), hs = all_binary_states(3);
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < vs.size(0); ++i) {
    // p(h | v_i) over all h, then P(h_j = 1 | v_i) = sum_h p(h | v_i) h_j.
    auto vi = vs[i].unsqueeze(0).expand({hs.size(0), 4});
    auto p_h = torch::softmax(-rbm->joint_energy(vi, hs), 0);
    auto expected = (p_h.unsqueeze(1) * hs).sum(0);
    EXPECT_TRUE(torch::allclose(rbm->hidden_mean(vs[i].unsqueeze(0))[0], expected, 1e-12, 1e-12));
  }
  for (int64_t j = 0; j < hs.size(0); ++j) {
    auto hj = hs[j].unsqueeze(0).expand({vs.size(0), 3});
    auto p_v = torch::softmax(-rbm->joint_energy(vs, hj), 0);
    auto expected = (p_v.unsqueeze(1) * vs).sum(0);
    EXPECT_TRUE(torch::allclose(rbm->visible_mean(hs[j].unsqueeze(0))[0], expected, 1e-12, 1e-12));
  }
}

TEST(LayeredRBM, SampledConditionalsHaveTheirMeans) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(6, 5).seed(4).weight_std(1).bias_std(1));
  torch::NoGradGuard no_grad;
  const int64_t n = 200000;
  auto v = torch::ones({n, 6}, torch::kFloat64);
  auto p = rbm->hidden_mean(v.slice(0, 0, 1))[0];
  auto frequency = rbm->sample_hidden(v).mean(0);
  auto five_sigma = 5 * torch::sqrt(p * (1 - p) / n);
  EXPECT_TRUE(((frequency - p).abs() < five_sigma).all().item<bool>()) << frequency << p;
  auto samples = rbm->sample_hidden(v.slice(0, 0, 100));
  EXPECT_TRUE(((samples == 0) | (samples == 1)).all().item<bool>());
}

// log Z = logsumexp over every (v, h) pair, against enumeration over the smaller layer only.
double brute_log_partition(LayeredRBMImpl& rbm) {
  auto vs = all_binary_states(rbm.dim()), hs = all_binary_states(rbm.num_hidden());
  auto v = vs.repeat_interleave(hs.size(0), 0);
  auto h = hs.repeat({vs.size(0), 1});
  return torch::logsumexp(-rbm.joint_energy(v, h), 0).item<double>();
}

TEST(ExactEnumeration, LogPartitionEqualsSumOverBothLayers) {
  for (auto [visible, hidden] : {std::pair{6, 5}, std::pair{4, 7}, std::pair{5, 5}}) {
    auto rbm = testing::random_rbm(testing::RandomRBMOptions(visible, hidden).seed(10 + visible).weight_std(1).bias_std(1));
    torch::NoGradGuard no_grad;
    EXPECT_NEAR(exact_log_partition(*rbm), brute_log_partition(*rbm), 1e-10)
        << visible << "x" << hidden;
  }
}

TEST(ExactEnumeration, FloatModelIsEvaluatedInDouble) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(8, 6).seed(20).weight_std(1).bias_std(1));
  const double in_double = exact_log_partition(*rbm);
  rbm->to(torch::kFloat32);
  // Parameters rounded to float move log Z by ~1e-6; float accumulation would be far worse.
  EXPECT_NEAR(exact_log_partition(*rbm), in_double, 1e-5);
}

TEST(ExactEnumeration, ZeroModelIsUniform) {
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(16, 16).init_std(0.0));
  const double log_z = exact_log_partition(*rbm);
  EXPECT_NEAR(log_z, 32 * std::log(2.0), 1e-9);
  auto data = torch::randint(2, {10, 16}).to(torch::kFloat32);
  EXPECT_NEAR(mean_log_likelihood(*rbm, data, log_z), -16 * std::log(2.0), 1e-9);
}

// Enumerating every visible state in chunks of 2^16 (binary_log_partition, what exact_ll uses for
// binary models without a hidden layer) agrees with enumerating the hidden layer, on 17 visible
// units (two chunks and a half); a continuous or too wide model is refused.
TEST(ExactEnumeration, EveryVisibleStateGivesTheSameLogPartition) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(17, 4).seed(21).weight_std(1).bias_std(1));
  EXPECT_NEAR(binary_log_partition(*rbm), exact_log_partition(*rbm), 1e-9);
  EXPECT_THROW(binary_log_partition(*LayeredRBM(LayeredRBMOptions::bernoulli(25, 2))), std::invalid_argument);
}

TEST(ExactEnumeration, RefusesModelsTooLargeOnBothLayers) {
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(30, 25));
  EXPECT_FALSE(is_enumerable(*rbm));
  EXPECT_THROW(exact_log_partition(*rbm), std::invalid_argument);
}

}  // namespace
}  // namespace ebm

#include "ebm/bernoulli.h"
#include "ebm/softplus_sum.h"

namespace ebm {
namespace {

TEST(BernoulliSampling, FrequenciesMatchProbabilitiesAndDrawsAreIndependent) {
  torch::manual_seed(11);
  const int64_t n = 400000;
  auto p = torch::linspace(0.0, 1.0, 11, torch::kFloat64).repeat({n / 11 + 1}).slice(0, 0, n);
  auto x = sample_bernoulli(p.view({-1, 8}));
  auto flat = x.flatten();
  for (int64_t k = 0; k < 11; ++k) {
    double q = k / 10.0;
    auto picked = flat.index({p.eq(p[k])});
    double m = picked.numel();
    EXPECT_NEAR(picked.mean().item<double>(), q, 5 * std::sqrt(q * (1 - q) / m) + 1e-12) << q;
  }
  // Neighbouring draws at p = 1/2 are uncorrelated (the hash decorrelates adjacent counters).
  auto half = sample_bernoulli(torch::full({n}, 0.5, torch::kFloat64));
  auto a = half.slice(0, 0, n - 1) - 0.5, b = half.slice(0, 1) - 0.5;
  EXPECT_LT(std::abs((a * b).mean().item<double>() / 0.25), 5 / std::sqrt(double(n)));
}

TEST(BernoulliSampling, SeedDeterminesTheDrawWhateverTheThreadCount) {
  auto p = torch::rand({300, 700});
  torch::manual_seed(4);
  torch::set_num_threads(1);
  auto one = sample_bernoulli(p);
  torch::manual_seed(4);
  torch::set_num_threads(2);
  auto two = sample_bernoulli(p);
  EXPECT_TRUE(one.equal(two));
  EXPECT_FALSE(sample_bernoulli(p).equal(two));  // the next call draws a fresh key
  // Any shape, a 0-dim tensor and an empty one included.
  EXPECT_EQ(sample_bernoulli(torch::tensor(1.0)).item<double>(), 1.0);
  EXPECT_EQ(sample_bernoulli(torch::full({0, 3}, 0.5)).sizes(), (std::vector<int64_t>{0, 3}));
}

// softplus_row_sums against softplus computed in double, on rows shorter than one vector step,
// with a tail, and long enough to take several block logarithms; with pre-activations where the
// sigmoid underflows to 0 or rounds to 1 (|x| up to 120), infinities and a NaN.
TEST(SoftplusRowSums, EqualSoftplusSummedInDouble) {
  torch::manual_seed(12);
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    // Each term's error is a few units in the last place of max(|softplus|, 1): the log is of a
    // number in [1/2, 1], whose error is absolute.
    const double tolerance = dtype == torch::kFloat32 ? 5e-7 : 1e-15;  // measured: 1.2e-7 and 2e-16
    for (int64_t n : {1, 15, 16, 17, 500, 784, 3000}) {
      auto x = (torch::randn({7, n}, torch::kFloat64) * torch::tensor({0.1, 1.0, 5.0, 20.0, 60.0, 120.0, 3.0}, torch::kFloat64).unsqueeze(1)).to(dtype);
      auto sums = softplus_row_sums(x, torch::sigmoid(x)).to(torch::kFloat64);
      auto xd = x.to(torch::kFloat64);
      auto exact = xd.clamp_min(0) + torch::log1p(torch::exp(-xd.abs()));  // softplus() drops e^-x above x = 20
      auto error = (sums - exact.sum(1)).abs() / (exact.abs().sum(1) + n);
      EXPECT_LT(error.max().item<double>(), tolerance) << "n " << n << " dtype " << dtype;
    }
    const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
    auto edge = torch::tensor({inf, 0.0, -inf, -inf, -200.0, 200.0, nan, 1.0, 2.0}, torch::kFloat64).view({3, 3}).to(dtype);
    auto sums = softplus_row_sums(edge, torch::sigmoid(edge));
    EXPECT_EQ(sums[0].item<double>(), inf);
    EXPECT_NEAR(sums[1].item<double>(), 200.0, 1e-4);
    EXPECT_TRUE(std::isnan(sums[2].item<double>()));
  }
  // Another layout or device falls back to softplus(x).sum(1).
  auto x = torch::randn({9, 4}, torch::kFloat64).t();
  EXPECT_TRUE(torch::allclose(softplus_row_sums(x, torch::sigmoid(x)), torch::softplus(x).sum(1), 1e-15, 0));
}

TEST(LayeredRBM, HiddenMeanMemoNeverServesStaleValues) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(6, 4).seed(30).weight_std(1).bias_std(1));
  auto v = torch::randint(2, {5, 6}, torch::kFloat64);
  rbm->energy(v);
  torch::NoGradGuard no_grad;
  auto fresh = torch::sigmoid(v.mm(rbm->weight) + rbm->hidden_field());
  EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v), fresh, 1e-14, 1e-14));
  rbm->weight.add_(0.5);  // a parameter update invalidates the memo
  EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v), torch::sigmoid(v.mm(rbm->weight) + rbm->hidden_field()), 1e-14, 1e-14));
  rbm->energy(v);
  v.add_(1).remainder_(2);  // so does changing the input in place
  EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v), torch::sigmoid(v.mm(rbm->weight) + rbm->hidden_field()), 1e-14, 1e-14));
}

// energies({data, samples}) is one autograd node (the CD step): its values and the gradient of
// mean F(data) - mean F(samples) must equal two energy() calls', plain and centred, with the memo
// primed by the sampler's hidden_mean(data) as in CD-1 and stale after an update; in double and
// in float32 (whose products run on oneDNN where built with it), and for row weights that differ
// (the backward pass scales the products by a mean's one weight, and s by weights that differ).
TEST(LayeredRBM, PairedFreeEnergiesEqualTwoSeparateOnes) {
  for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
    const double tolerance = dtype == torch::kFloat64 ? 1e-12 : 2e-5;
    for (const bool centered : {false, true}) {
      torch::manual_seed(31);
      auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(7, 5).init_std(1.0).centered(centered));
      rbm->to(dtype);
      auto data = torch::randint(2, {6, 7}, dtype), samples = torch::randint(2, {6, 7}, dtype);
      const auto row_weights = torch::rand({6}, dtype) + 0.5;
      if (centered) rbm->set_visible_offset(data);
      const auto params = rbm->parameters();
      for (const bool weighted : {false, true}) {
        auto loss = [&](const torch::Tensor& positive, const torch::Tensor& negative) {
          return weighted ? (positive * row_weights).sum() - (negative * row_weights.flip(0)).sum()
                          : positive.mean() - negative.mean();
        };
        auto separate = torch::autograd::grad({loss(rbm->energy(data), rbm->energy(samples))}, params);
        for (const bool primed : {false, true}) {
          if (primed) {
            torch::NoGradGuard no_grad;
            rbm->hidden_mean(data);
          }
          const std::string where = "dtype " + std::string(c10::toString(dtype)) + " centred " + std::to_string(centered) +
                                    " weighted " + std::to_string(weighted) + " primed " + std::to_string(primed);
          auto paired = rbm->energies({data, samples});
          EXPECT_TRUE(torch::allclose(paired[0], rbm->energy(data), tolerance, tolerance)) << where;
          EXPECT_TRUE(torch::allclose(paired[1], rbm->energy(samples), tolerance, tolerance)) << where;
          auto grads = torch::autograd::grad({loss(paired[0], paired[1])}, params);
          for (size_t k = 0; k < params.size(); ++k)
            EXPECT_TRUE(torch::allclose(grads[k], separate[k], tolerance, tolerance)) << where << " parameter " << k;
        }
      }
      {
        torch::NoGradGuard no_grad;
        rbm->hidden_mean(data);
        rbm->weight.data().add_(0.25);  // as an optimiser updates, unseen by the version counter
      }
      rbm->after_update(data);
      auto after = rbm->energies({data, samples});
      EXPECT_TRUE(torch::allclose(after[0], rbm->energy(data), tolerance, tolerance)) << centered;
    }
  }
}

}  // namespace
}  // namespace ebm

namespace ebm {
namespace {

// Central differences of sum_n F(v_n) against the hand-written backward pass, for every input.
TEST(LayeredRBM, FreeEnergyGradientsMatchFiniteDifferences) {
  auto rbm = testing::random_rbm(testing::RandomRBMOptions(5, 3).seed(40).weight_std(1).bias_std(1));
  auto v = torch::rand({4, 5}, torch::kFloat64).requires_grad_();  // real-valued v tests dF/dv too
  testing::expect_gradients_match_finite_differences([&] { return rbm->energy(v).sum(); },
                                                     {v, rbm->weight, rbm->visible_field(), rbm->hidden_field()}, 1e-7);
}

}  // namespace
}  // namespace ebm
