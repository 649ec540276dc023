// The contrastive objective's gradient against the closed-form CD update on a fixed sample, and
// the optimisers' first steps against their formulas.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ebm/layered_rbm.h"
#include "samplers/chain_source.h"
#include "trainers/contrastive.h"
#include "trainers/optimizer.h"

namespace ebm::trainers {
namespace {

// A kernel that jumps to a fixed state, so the negative sample is known exactly.
class FixedSampler : public samplers::Sampler {
 public:
  explicit FixedSampler(torch::Tensor target) : target_(std::move(target)) {}
  torch::Tensor run(EnergyModelImpl&, const torch::Tensor& x, int64_t steps) override {
    seen_start = x;
    seen_steps = steps;
    return target_;
  }
  std::string name() const override { return "fixed"; }
  torch::Tensor seen_start;
  int64_t seen_steps = 0;

 private:
  torch::Tensor target_;
};

TEST(Contrastive, GradientIsTheClosedFormCDUpdate) {
  torch::manual_seed(7);
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(6, 4).init_std(0.5));
  rbm->to(torch::kFloat64);
  auto positive = torch::randint(2, {5, 6}, torch::kFloat64);
  auto negative = torch::randint(2, {7, 6}, torch::kFloat64);
  auto sampler = std::make_shared<FixedSampler>(negative);
  ContrastiveObjective objective(sampler, std::make_shared<samplers::DataChainSource>(),
                                 ContrastiveOptions().sampler_steps(3));
  auto terms = objective.compute(*rbm, positive);
  EXPECT_TRUE(sampler->seen_start.equal(positive));  // CD: chains start at the data
  EXPECT_EQ(sampler->seen_steps, 3);
  terms.loss.backward();

  // dL/dW = -<v h>_data + <v h>_model with h replaced by p(h = 1 | v) (Hinton 2002).
  torch::NoGradGuard no_grad;
  auto ph_pos = torch::sigmoid(positive.mm(rbm->weight) + rbm->hidden_field());
  auto ph_neg = torch::sigmoid(negative.mm(rbm->weight) + rbm->hidden_field());
  auto grad_w = -positive.t().mm(ph_pos) / 5 + negative.t().mm(ph_neg) / 7;
  auto grad_b = -positive.mean(0) + negative.mean(0);
  auto grad_c = -ph_pos.mean(0) + ph_neg.mean(0);
  EXPECT_TRUE(torch::allclose(rbm->weight.grad(), grad_w, 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(rbm->visible_field().grad(), grad_b, 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(rbm->hidden_field().grad(), grad_c, 1e-12, 1e-12));
  EXPECT_NEAR(terms.loss.item<double>(),
              (rbm->energy(positive).mean() - rbm->energy(negative).mean()).item<double>(), 1e-12);
}

TEST(Optimizers, SgdStepDecaysWeightsButNotBiases) {
  auto w = torch::ones({2, 2}, torch::requires_grad());
  auto b = torch::ones({2}, torch::requires_grad());
  auto sgd = make_sgd({w, b}, torch::optim::SGDOptions(0.1), 0.5);
  (w.sum() * 2 + b.sum() * 3).backward();
  sgd->step();
  EXPECT_TRUE(torch::allclose(w, torch::full({2, 2}, 1 - 0.1 * (2 + 0.5 * 1))));
  EXPECT_TRUE(torch::allclose(b, torch::full({2}, 1 - 0.1 * 3)));
}

TEST(Optimizers, AdamFirstStepIsLearningRateTimesSign) {
  auto x = torch::tensor({1.0, -2.0, 3.0}, torch::requires_grad());
  auto adam = make_adam({x}, torch::optim::AdamOptions(0.01).eps(1e-12), 0);
  (x * torch::tensor({4.0, -0.5, 0.0})).sum().backward();
  adam->step();
  // Bias-corrected m/sqrt(v) = g/|g| on the first step (0 where g = 0).
  EXPECT_TRUE(torch::allclose(x.detach(), torch::tensor({0.99, -1.99, 3.0}), 1e-9, 1e-9));
}

}  // namespace
}  // namespace ebm::trainers

#include "trainers/schedule.h"

namespace ebm::trainers {
namespace {

TEST(Schedules, FactorsFollowTheirFormulas) {
  EXPECT_DOUBLE_EQ(constant_schedule(0.7), 1.0);
  EXPECT_DOUBLE_EQ(linear_schedule(0.0), 1.0);
  EXPECT_DOUBLE_EQ(linear_schedule(0.75), 0.25);
  EXPECT_NEAR(cosine_schedule(0.5), 0.5, 1e-15);
  EXPECT_NEAR(cosine_schedule(1.0), 0.0, 1e-15);
}

}  // namespace
}  // namespace ebm::trainers
