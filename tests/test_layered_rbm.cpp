// The RBM built from layers (ebm/layered_rbm.h), checked exactly:
//  - with two binary layers it is the Bernoulli RBM: the same free energies, conditionals and
//    log Z for the same parameters, plain and centred;
//  - for pairs of discrete layers (binary, spin, Potts), log Z by enumerating the visible states
//    (F(v)), by enumerating the hidden ones (F(h)) and by summing exp(-E(v, h)) over every pair
//    agree, and the enumeration code picks the side with fewer states;
//  - for continuous hidden layers (Gaussian, ReLU, dReLU), F(v) against quadrature of
//    exp(-E(v, h)) over a one-unit hidden layer;
//  - block Gibbs leaves the exact law of a Potts RBM invariant (chi-square of visible states);
//  - forward AIS (5 repeats) covers the exact log Z of Potts-ReLU and centred binary RBMs;
//  - a centred RBM's offset update leaves every state's probability unchanged.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "config/experiment.h"
#include "config/schema.h"
#include "ebm/bernoulli_rbm.h"
#include "ebm/exact_enumeration.h"
#include "ebm/layered_rbm.h"
#include "ebm/layers/binary_layer.h"
#include "ebm/layers/drelu_layer.h"
#include "ebm/layers/gaussian_layer.h"
#include "ebm/layers/potts_layer.h"
#include "ebm/layers/relu_layer.h"
#include "ebm/layers/spin_layer.h"
#include "samplers/ais.h"
#include "support/numerical.h"

namespace ebm {
namespace {

// An RBM of these layers in double, every parameter N(0, scale^2) (log precisions N(0.5, 0.3^2),
// so continuous units stay integrable against the weights).
LayeredRBM random_rbm(LayerPtr visible, LayerPtr hidden, double scale = 1.0, bool centered = false) {
  torch::manual_seed(11);
  auto rbm = LayeredRBM(LayeredRBMOptions(std::move(visible), std::move(hidden)).centered(centered));
  rbm->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  for (auto& item : rbm->named_parameters()) {
    if (item.key().find("precision") != std::string::npos) {
      item.value().normal_(0.5, 0.3);
    } else {
      item.value().normal_(0, scale);
    }
  }
  return rbm;
}

// Every joint state of a discrete layer, [S, width] (unit 0's state the fastest digit).
torch::Tensor all_states(const LayerImpl& layer) {
  EnumeratedLayer side{true, layer.unit_states()->to(torch::kFloat64), layer.units(), 1};
  for (int64_t n = 0; n < layer.units(); ++n) side.count *= side.unit_states.size(0);
  return side.states(0, side.count);
}

double logsumexp(const torch::Tensor& x) { return torch::logsumexp(x, 0).item<double>(); }

TEST(LayeredRBM, WithBinaryLayersItIsTheBernoulliRBM) {
  for (const bool centered : {false, true}) {
    SCOPED_TRACE(centered ? "centred" : "plain");
    auto layered = random_rbm(BinaryLayer(5).ptr(), BinaryLayer(4).ptr(), 1.0, centered);
    auto bernoulli = BernoulliRBM(BernoulliRBMOptions(5, 4).centered(centered));
    bernoulli->to(torch::kFloat64);
    {
      torch::NoGradGuard no_grad;
      bernoulli->weight.copy_(layered->weight);
      bernoulli->visible_bias.copy_(static_cast<BinaryLayerImpl&>(*layered->visible).field);
      bernoulli->hidden_bias.copy_(static_cast<BinaryLayerImpl&>(*layered->hidden).field);
      if (centered) {
        layered->visible_offset.uniform_(0.2, 0.8), layered->hidden_offset.uniform_(0.2, 0.8);
        bernoulli->visible_offset.copy_(layered->visible_offset), bernoulli->hidden_offset.copy_(layered->hidden_offset);
      }
    }
    torch::NoGradGuard no_grad;
    const auto v = all_binary_states(5), h = all_binary_states(4);
    EXPECT_TRUE(torch::allclose(layered->energy(v), bernoulli->energy(v), 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(layered->hidden_free_energy(h), bernoulli->hidden_free_energy(h), 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(layered->hidden_mean(v), bernoulli->hidden_mean(v), 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(layered->visible_mean(h), bernoulli->visible_mean(h), 1e-12, 1e-12));
    const auto pairs_v = v.repeat_interleave(16, 0), pairs_h = h.repeat({32, 1});
    EXPECT_TRUE(torch::allclose(layered->joint_energy(pairs_v, pairs_h), bernoulli->joint_energy(pairs_v, pairs_h), 1e-12, 1e-12));
    EXPECT_NEAR(exact_log_partition(*layered), exact_log_partition(*bernoulli), 1e-10);
  }
}

struct DiscretePair {
  std::string name;
  std::function<LayerPtr()> visible, hidden;
};

TEST(LayeredRBM, DiscreteLayersLogZAgreesOverVisibleStatesHiddenStatesAndEveryPair) {
  const std::vector<DiscretePair> pairs = {
      {"potts-binary", [] { return PottsLayer(2, 3).ptr(); }, [] { return BinaryLayer(4).ptr(); }},
      {"binary-spin", [] { return BinaryLayer(4).ptr(); }, [] { return SpinLayer(3).ptr(); }},
      {"spin-potts", [] { return SpinLayer(3).ptr(); }, [] { return PottsLayer(2, 4).ptr(); }},
      {"potts-potts", [] { return PottsLayer(2, 3).ptr(); }, [] { return PottsLayer(2, 2).ptr(); }}};
  for (const auto& pair : pairs) {
    SCOPED_TRACE(pair.name);
    auto rbm = random_rbm(pair.visible(), pair.hidden());
    torch::NoGradGuard no_grad;
    const auto v = all_states(*rbm->visible), h = all_states(*rbm->hidden);
    const double by_visible = logsumexp(-rbm->energy(v)), by_hidden = logsumexp(-rbm->hidden_free_energy(h));
    const auto pairs_v = v.repeat_interleave(h.size(0), 0), pairs_h = h.repeat({v.size(0), 1});
    const double by_pairs = logsumexp(-rbm->joint_energy(pairs_v, pairs_h));
    EXPECT_NEAR(by_visible, by_pairs, 1e-10);
    EXPECT_NEAR(by_hidden, by_pairs, 1e-10);
    EXPECT_NEAR(exact_log_partition(*rbm), by_pairs, 1e-10);
    const auto layer = enumerated_layer(*rbm, torch::kFloat64, "test");
    EXPECT_EQ(layer.count, std::min(v.size(0), h.size(0)));
    EXPECT_EQ(layer.over_hidden, h.size(0) <= v.size(0));
  }
}

TEST(LayeredRBM, FreeEnergyOverAContinuousHiddenUnitMatchesQuadrature) {
  struct Case {
    std::string name;
    LayerPtr hidden;
    double low;  // the unit's support starts here
  };
  for (auto& c : std::vector<Case>{{"gaussian", GaussianLayer(1).ptr(), -30}, {"relu", ReLULayer(1).ptr(), 0}, {"drelu", DReLULayer(1).ptr(), -30}}) {
    SCOPED_TRACE(c.name);
    auto rbm = random_rbm(PottsLayer(2, 3).ptr(), c.hidden, 0.7);
    torch::NoGradGuard no_grad;
    const auto v = all_states(*rbm->visible);
    const auto grid = torch::linspace(c.low, 30, 200001, torch::kFloat64);
    const double step = (30 - c.low) / 200000;
    for (int64_t r = 0; r < v.size(0); ++r) {
      const auto energies = rbm->joint_energy(v[r].unsqueeze(0).expand({grid.size(0), v.size(1)}), grid.unsqueeze(1));
      auto weights = torch::full_like(grid, step);
      weights[0] = weights[-1] = step / 2;  // trapezoid
      const double quadrature = -logsumexp(-energies + weights.log());
      EXPECT_NEAR(rbm->energy(v[r].unsqueeze(0)).item<double>(), quadrature, 1e-6) << "state " << r;
    }
  }
}

TEST(LayeredRBM, BlockGibbsLeavesAPottsRBMsExactLawInvariant) {
  auto rbm = random_rbm(PottsLayer(2, 3).ptr(), BinaryLayer(3).ptr(), 1.0);
  torch::NoGradGuard no_grad;
  const auto v = all_states(*rbm->visible);
  const auto exact = torch::softmax(-rbm->energy(v), 0);
  // 20,000 chains from exact draws, 5 sweeps each: still the exact law.
  const int64_t chains = 20000;
  auto x = exact_samples(*rbm, chains);
  for (int sweep = 0; sweep < 5; ++sweep) x = rbm->sample_visible(rbm->sample_hidden(x));
  // Each chain's state number: unit n's category is digit n (base 3).
  const auto category = x.view({chains, 2, 3}).argmax(2);
  const auto index = category.select(1, 0) + 3 * category.select(1, 1);
  const auto counts = torch::bincount(index, {}, 9).to(torch::kFloat64);
  const auto [statistic, limit] = testing::chi_square(counts, exact * chains);
  EXPECT_LT(statistic, limit) << counts << exact * chains;
  // Every state is one-hot.
  EXPECT_TRUE(torch::equal(x.view({chains, 2, 3}).sum(2), torch::ones({chains, 2}, torch::kFloat64)));
}

TEST(LayeredRBM, ForwardAISCoversTheExactLogZ) {
  struct Case {
    std::string name;
    LayeredRBM rbm;
  };
  std::vector<Case> cases;
  cases.push_back({"potts-relu", random_rbm(PottsLayer(5, 3).ptr(), ReLULayer(6).ptr(), 0.5)});
  cases.push_back({"centred binary", random_rbm(BinaryLayer(12).ptr(), BinaryLayer(10).ptr(), 0.5, true)});
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    const double exact = exact_log_partition(*c.rbm);
    torch::NoGradGuard no_grad;
    const auto data = exact_samples(*c.rbm, 500);
    std::vector<double> repeats;
    for (int r = 0; r < 5; ++r) {
      torch::manual_seed(100 + r);
      repeats.push_back(samplers::ais_log_partition(*c.rbm, data, samplers::AISOptions().chains(100).betas(2000)).log_z);
    }
    const auto t = torch::tensor(repeats, torch::kFloat64);
    const double mean = t.mean().item<double>(), spread = t.std().item<double>();
    EXPECT_LT(std::abs(mean - exact), std::max(3 * spread / std::sqrt(5.0), 0.02)) << "repeats " << t << " exact " << exact;
    EXPECT_LT(std::abs(mean - exact), 0.1);
  }
}

TEST(LayeredRBM, CentredOffsetUpdateKeepsEveryStatesProbability) {
  auto rbm = random_rbm(PottsLayer(3, 3).ptr(), BinaryLayer(4).ptr(), 1.0, true);
  auto fast = LayeredRBM(LayeredRBMOptions(rbm->visible, rbm->hidden).centered(true).offset_rate(0.5));
  fast->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    fast->weight.copy_(rbm->weight);
    fast->visible_offset.copy_(torch::rand({9}, torch::kFloat64));
  }
  const auto v = all_states(*fast->visible);
  torch::NoGradGuard no_grad;
  const auto before = -fast->energy(v) - exact_log_partition(*fast);
  const auto lambda = fast->hidden_offset.clone();
  fast->after_update(v.slice(0, 0, 10));
  EXPECT_GT((fast->hidden_offset - lambda).abs().max().item<double>(), 0.01);  // it moved
  const auto after = -fast->energy(v) - exact_log_partition(*fast);
  EXPECT_TRUE(torch::allclose(before, after, 1e-10, 1e-10)) << before - after;
}

// From a config: a Potts RBM on coloured bars and stripes; data that are not the visible layer's
// states are refused at the key, naming the row.
TEST(LayeredRBM, ConfigsBuildItAndRefuseDataThatAreNotTheLayersStates) {
  const auto build = [](const std::string& data, const std::string& visible) {
    const std::string yaml = "seed: 1\nthreads: 1\ndata: " + data + "\nmodel: {type: rbm, visible: " + visible +
                             ", hidden: {type: relu, units: 3}}\neval: {exact_ll: true}\n";
    return experiments::build_experiment(experiments::Config::parse(yaml, "rbm.yaml", {}, experiments::experiment_schema()), "rbm");
  };
  auto e = build("{type: bars_and_stripes, size: 3, colours: 3}", "{type: potts, states: 3}");
  EXPECT_EQ(e.model->dim(), 27);
  EXPECT_EQ(e.model->domain(), Domain::Discrete);
  const auto message = [&](const std::string& data, const std::string& visible) {
    try {
      build(data, visible);
    } catch (const experiments::ConfigError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("{type: bars_and_stripes, size: 4}", "{type: potts, states: 2}").find("row 1 is not one-hot"), std::string::npos);
  EXPECT_NE(message("{type: bars_and_stripes, size: 4}", "{type: potts, states: 2}").find("model.visible.type"), std::string::npos);
  EXPECT_NE(message("{type: bars_and_stripes, size: 3}", "{type: potts, states: 4}").find("do not divide the 9 columns"), std::string::npos);
  EXPECT_NE(message("{type: bars_and_stripes, size: 3}", "{type: spin}").find("neither -1 nor +1"), std::string::npos);
}

}  // namespace
}  // namespace ebm
