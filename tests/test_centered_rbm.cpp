// The centred Bernoulli RBM (Melchior, Fischer & Wiskott 2016) against exact values: it is the
// plain RBM with biases b - W λ and c - W^T μ (every conditional, free energy and log Z by
// enumeration), autograd gives the centred gradient, moving the offsets leaves the distribution
// unchanged, AIS agrees with enumeration, and training is invariant to flipping the data (1 - v)
// where the plain RBM's is not.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "samplers/ais.h"
#include "test_support.h"

namespace ebm {
namespace {

LayeredRBM random_centered(int64_t v, int64_t h) {
  torch::manual_seed(3);
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(v, h).centered(true).offset_rate(0.3));
  rbm->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  rbm->weight.normal_(0, 1);
  rbm->visible_field().normal_(0, 1);
  rbm->hidden_field().normal_(0, 1);
  rbm->visible_offset.uniform_(0.1, 0.9);
  rbm->hidden_offset.uniform_(0.1, 0.9);
  return rbm;
}

// The plain RBM the centred one claims to equal.
LayeredRBM plain_twin(LayeredRBM& centered) {
  auto plain = LayeredRBM(LayeredRBMOptions::bernoulli(centered->dim(), centered->num_hidden()));
  plain->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  const auto biases = centered->plain_fields(torch::kFloat64);
  plain->weight.copy_(centered->weight);
  plain->visible_field().copy_(biases.visible);
  plain->hidden_field().copy_(biases.hidden);
  return plain;
}

TEST(CenteredRBM, IsThePlainRBMWithShiftedBiases) {
  auto rbm = random_centered(6, 4);
  auto plain = plain_twin(rbm);
  torch::NoGradGuard no_grad;
  // Written out from E(v, h) = -(v - μ)^T W (h - λ) - b^T v - c^T h: the joint energy differs
  // from the plain one by the constant -μ^T W λ only.
  const auto v = torch::bernoulli(torch::full({8, 6}, 0.5, torch::kFloat64));
  const auto h = torch::bernoulli(torch::full({8, 4}, 0.5, torch::kFloat64));
  const auto mu = rbm->visible_offset, lambda = rbm->hidden_offset;
  const auto by_hand = -((v - mu).mm(rbm->weight) * (h - lambda)).sum(1) - v.mv(rbm->visible_field()) - h.mv(rbm->hidden_field());
  const auto constant = -mu.dot(rbm->weight.mv(lambda));
  EXPECT_TRUE(torch::allclose(rbm->joint_energy(v, h), by_hand - constant, 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(rbm->energy(v), plain->energy(v), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v), plain->hidden_mean(v), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(rbm->visible_mean(h), plain->visible_mean(h), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(rbm->hidden_free_energy(h), plain->hidden_free_energy(h), 1e-12, 1e-12));
  // p(h_j | v) = sigmoid(c_j + ((v - μ)^T W)_j): the centred conditional by hand.
  EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v), torch::sigmoid(rbm->hidden_field() + (v - mu).mm(rbm->weight)), 1e-12, 1e-12));
  EXPECT_NEAR(exact_log_partition(*rbm), exact_log_partition(*plain), 1e-10);
}

TEST(CenteredRBM, AutogradGivesTheCentredGradient) {
  auto rbm = random_centered(5, 3);
  const auto pos = torch::bernoulli(torch::full({16, 5}, 0.3, torch::kFloat64));
  const auto neg = torch::bernoulli(torch::full({16, 5}, 0.6, torch::kFloat64));
  (rbm->energy(pos).mean() - rbm->energy(neg).mean()).backward();
  torch::NoGradGuard no_grad;
  const auto mu = rbm->visible_offset, lambda = rbm->hidden_offset;
  const auto outer = [&](const torch::Tensor& v) { return (v - mu).t().mm(rbm->hidden_mean(v) - lambda) / v.size(0); };
  // Melchior et al. eq. 14-16: descent on mean F(pos) - mean F(neg) follows these.
  EXPECT_TRUE(torch::allclose(-rbm->weight.grad(), outer(pos) - outer(neg), 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(-rbm->visible_field().grad(), pos.mean(0) - neg.mean(0), 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(-rbm->hidden_field().grad(), rbm->hidden_mean(pos).mean(0) - rbm->hidden_mean(neg).mean(0), 1e-10, 1e-12));
}

TEST(CenteredRBM, MovingTheOffsetsKeepsTheDistribution) {
  auto rbm = random_centered(6, 4);
  const auto before = visible_log_probabilities(*rbm);
  const auto lambda = rbm->hidden_offset.clone();
  const auto batch = torch::bernoulli(torch::full({20, 6}, 0.4, torch::kFloat64));
  const auto target = rbm->hidden_mean(batch).mean(0).detach();
  rbm->after_update(batch);
  EXPECT_TRUE(torch::allclose(rbm->hidden_offset, lambda + 0.3 * (target - lambda), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(visible_log_probabilities(*rbm), before, 1e-10, 1e-10));
  // AIS of the centred model agrees with enumeration within 4 standard errors.
  torch::manual_seed(5);
  const auto ais = samplers::ais_log_partition(*rbm, batch, samplers::AISOptions().chains(200).betas(2000));
  EXPECT_NEAR(ais.log_z, exact_log_partition(*rbm), 4 * ais.log_z_stderr + 1e-3);
}

// Training by the exact gradient (mean F(data) + log Z by enumeration, SGD) on data and on its
// flip 1 - v, from mirrored starts: the flipped model of (W, b, c, μ, λ) is (-W, -b, c + W^T 1
// for the plain RBM / c for the centred one, 1 - μ, λ). The centred update is equivariant to
// the flip, so both runs keep the same log-likelihood at every step; the plain RBM's is not.
std::vector<double> exact_training(LayeredRBM rbm, const torch::Tensor& data) {
  torch::optim::SGD sgd(rbm->parameters(), torch::optim::SGDOptions(0.5));
  std::vector<double> curve;
  for (int step = 0; step < 60; ++step) {
    sgd.zero_grad();
    const auto loss = rbm->energy(data).mean() + log_partition(*rbm, torch::kFloat64);
    loss.backward();
    sgd.step();
    rbm->after_update(data);
    if (step % 20 == 19) curve.push_back(-loss.item<double>());
  }
  return curve;
}

LayeredRBM mirrored(LayeredRBM& rbm) {
  const bool centered = rbm->options().centered();
  auto flip = LayeredRBM(LayeredRBMOptions::bernoulli(rbm->dim(), rbm->num_hidden()).centered(centered).offset_rate(rbm->options().offset_rate()));
  flip->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  flip->weight.copy_(-rbm->weight);
  flip->visible_field().copy_(-rbm->visible_field());
  flip->hidden_field().copy_(centered ? rbm->hidden_field() : rbm->hidden_field() + rbm->weight.sum(0));
  if (centered) {
    flip->visible_offset.copy_(1 - rbm->visible_offset);
    flip->hidden_offset.copy_(rbm->hidden_offset);
  }
  return flip;
}

TEST(CenteredRBM, TrainingIsInvariantToFlippingTheData) {
  torch::manual_seed(11);
  const auto data = torch::bernoulli(torch::rand({40, 1}, torch::kFloat64).mul(0.6).add(0.1).expand({40, 8}).contiguous());
  std::map<bool, std::pair<std::vector<double>, std::vector<double>>> curves;
  for (bool centered : {true, false}) {
    torch::manual_seed(12);
    auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(8, 3).centered(centered).offset_rate(0.1).init_std(0.5));
    rbm->to(torch::kFloat64);
    rbm->init_visible_from(data);
    if (centered) rbm->set_visible_offset(data);
    auto flip = mirrored(rbm);
    // The starts are the same distribution, mirrored.
    ASSERT_TRUE(torch::allclose(visible_log_probabilities(*rbm), visible_log_probabilities(*flip).flip(0), 1e-9, 1e-9));
    curves[centered] = {exact_training(rbm, data), exact_training(flip, 1 - data)};
  }
  const auto& [centred, centred_flipped] = curves[true];
  const auto& [plain, plain_flipped] = curves[false];
  ASSERT_EQ(centred.size(), 3u);
  for (size_t i = 0; i < centred.size(); ++i) EXPECT_NEAR(centred[i], centred_flipped[i], 1e-9) << "log step " << i;
  EXPECT_GT(centred.back(), centred.front());  // it did learn
  EXPECT_GT(std::abs(plain.back() - plain_flipped.back()), 1e-3);
}

}  // namespace
}  // namespace ebm
