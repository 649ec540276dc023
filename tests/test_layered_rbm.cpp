// The RBM built from layers (ebm/layered_rbm.h), checked exactly:
//  - for two linear layers (binary, spin, Potts), whose fields the RBM folds into its products
//    and whose free-energy gradient it writes out, every quantity and gradient equals the layers'
//    own laws composed through autograd, plain and centred;
//  - for pairs of discrete layers (binary, spin, Potts), log Z by enumerating the visible states
//    (F(v)), by enumerating the hidden ones (F(h)) and by summing exp(-E(v, h)) over every pair
//    agree, and the enumeration code picks the side with fewer states;
//  - for continuous hidden layers (Gaussian, scaled Gaussian, ReLU, dReLU), F(v) against
//    quadrature of exp(-E(v, h)) over a one-unit hidden layer;
//  - block Gibbs leaves the exact law of a Potts RBM invariant (chi-square of visible states);
//  - forward AIS (5 repeats) covers the exact log Z of Potts-ReLU, centred binary and centred
//    Gaussian-Bernoulli RBMs;
//  - a centred RBM's offset update leaves every state's probability unchanged (Potts and scaled
//    Gaussian visible units);
//  - checkpoints that name a Bernoulli or Gaussian-Bernoulli RBM's parameters by their former
//    names still load.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "config/experiment.h"
#include "config/schema.h"
#include "ebm/exact_enumeration.h"
#include "ebm/layered_rbm.h"
#include "ebm/layers/binary_layer.h"
#include "ebm/layers/drelu_layer.h"
#include "ebm/layers/gaussian_layer.h"
#include "ebm/layers/potts_layer.h"
#include "ebm/layers/relu_layer.h"
#include "ebm/layers/scaled_gaussian_layer.h"
#include "ebm/layers/spin_layer.h"
#include "samplers/ais.h"
#include "support/numerical.h"
#include "trainers/checkpoint.h"

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

// The RBM of two linear layers folds their fields into its products and writes F's gradient out;
// everything it computes must equal the layers' own laws composed through autograd (the form of
// the header: E_v(v) + v'W lambda - Gamma_h(W'(v - mu)), ...).
TEST(LayeredRBM, LinearLayersFoldedEqualTheLayersOwnLaws) {
  struct Pair {
    std::string name;
    std::function<LayerPtr()> visible, hidden;
  };
  const std::vector<Pair> pairs = {{"binary-binary", [] { return BinaryLayer(5).ptr(); }, [] { return BinaryLayer(4).ptr(); }},
                                   {"potts-spin", [] { return PottsLayer(2, 3).ptr(); }, [] { return SpinLayer(3).ptr(); }},
                                   {"spin-potts", [] { return SpinLayer(4).ptr(); }, [] { return PottsLayer(2, 3).ptr(); }}};
  for (const auto& pair : pairs) {
    for (const bool centered : {false, true}) {
      SCOPED_TRACE(pair.name + (centered ? " centred" : " plain"));
      auto rbm = random_rbm(pair.visible(), pair.hidden(), 1.0, centered);
      ASSERT_TRUE(rbm->visible_linear() && rbm->hidden_linear());
      if (centered) {
        torch::NoGradGuard no_grad;
        rbm->visible_offset.uniform_(0.2, 0.8), rbm->hidden_offset.uniform_(0.2, 0.8);
      }
      const auto w = rbm->weight;
      const auto mu = centered ? rbm->visible_offset : torch::zeros({w.size(0)}, w.options());
      const auto lambda = centered ? rbm->hidden_offset : torch::zeros({w.size(1)}, w.options());
      const auto v = all_states(*rbm->visible), h = all_states(*rbm->hidden);
      auto by_layers = [&](const torch::Tensor& x) {
        return rbm->visible->energy(x) + x.mv(w.mv(lambda)) - rbm->hidden->cgf((x - mu).mm(w));
      };
      {
        torch::NoGradGuard no_grad;
        EXPECT_TRUE(torch::allclose(rbm->energy(v), by_layers(v), 1e-12, 1e-12));
        EXPECT_TRUE(torch::allclose(rbm->hidden_free_energy(h),
                                    rbm->hidden->energy(h) + h.mv(w.t().mv(mu)) - rbm->visible->cgf((h - lambda).mm(w.t())), 1e-12, 1e-12));
        EXPECT_TRUE(torch::allclose(rbm->hidden_mean(v), rbm->hidden->mean((v - mu).mm(w)), 1e-12, 1e-12));
        EXPECT_TRUE(torch::allclose(rbm->visible_mean(h), rbm->visible->mean((h - lambda).mm(w.t())), 1e-12, 1e-12));
        const auto pv = v.repeat_interleave(h.size(0), 0), ph = h.repeat({v.size(0), 1});
        const auto joint = rbm->visible->energy(pv) + rbm->hidden->energy(ph) - ((pv - mu).mm(w) * (ph - lambda)).sum(1) + mu.dot(w.mv(lambda));
        EXPECT_TRUE(torch::allclose(rbm->joint_energy(pv, ph), joint, 1e-12, 1e-12));
      }
      // The written-out gradients, of one batch (inputs included) and of a pair in one node.
      const auto x = v.index_select(0, torch::randint(v.size(0), {7}, torch::kLong)).requires_grad_(true);
      const auto y = v.index_select(0, torch::randint(v.size(0), {9}, torch::kLong));
      const auto weights = torch::rand({7}, v.options()), weights_y = torch::rand({9}, v.options());
      auto gradients = [&](const torch::Tensor& loss, bool with_input) {
        std::vector<torch::Tensor> wrt = rbm->parameters();
        if (with_input) wrt.push_back(x);
        return torch::autograd::grad({loss}, wrt);
      };
      const auto fused = gradients(rbm->energy(x).dot(weights), true);
      const auto composed = gradients(by_layers(x).dot(weights), true);
      const auto rows = x.detach();
      const auto both = rbm->energies({rows, y});
      const auto fused_pair = gradients(both[0].dot(weights) + both[1].dot(weights_y), false);
      const auto composed_pair = gradients(by_layers(rows).dot(weights) + by_layers(y).dot(weights_y), false);
      for (size_t i = 0; i < fused.size(); ++i) EXPECT_TRUE(torch::allclose(fused[i], composed[i], 1e-10, 1e-12)) << i;
      for (size_t i = 0; i < fused_pair.size(); ++i) EXPECT_TRUE(torch::allclose(fused_pair[i], composed_pair[i], 1e-10, 1e-12)) << i;
    }
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
  for (auto& c : std::vector<Case>{{"gaussian", GaussianLayer(1).ptr(), -30},
                                   {"scaled_gaussian", ScaledGaussianLayer(1).ptr(), -30},
                                   {"relu", ReLULayer(1).ptr(), 0},
                                   {"drelu", DReLULayer(1).ptr(), -30}}) {
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
  cases.push_back({"centred gaussian-bernoulli", random_rbm(ScaledGaussianLayer(3).ptr(), BinaryLayer(8).ptr(), 0.5, true)});
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
  // Potts visible units (every state), and scaled Gaussian ones (whose field shift moves the
  // means b and the potential by a constant; log-densities at random points).
  for (const bool gaussian : {false, true}) {
    SCOPED_TRACE(gaussian ? "scaled gaussian" : "potts");
    const LayerPtr visible = gaussian ? LayerPtr(ScaledGaussianLayer(3).ptr()) : LayerPtr(PottsLayer(3, 3).ptr());
    auto rbm = random_rbm(visible, BinaryLayer(4).ptr(), 1.0, true);
    auto fast = LayeredRBM(LayeredRBMOptions(rbm->visible, rbm->hidden).centered(true).offset_rate(0.5));
    fast->to(torch::kFloat64);
    {
      torch::NoGradGuard no_grad;
      fast->weight.copy_(rbm->weight);
      fast->visible_offset.copy_(torch::rand({fast->dim()}, torch::TensorOptions(torch::kFloat64)));
    }
    const auto v = gaussian ? torch::randn({20, 3}, torch::kFloat64) : all_states(*fast->visible);
    torch::NoGradGuard no_grad;
    const auto before = -fast->energy(v) - exact_log_partition(*fast);
    const auto lambda = fast->hidden_offset.clone();
    fast->after_update(v.slice(0, 0, 10));
    EXPECT_GT((fast->hidden_offset - lambda).abs().max().item<double>(), 0.01);  // it moved
    const auto after = -fast->energy(v) - exact_log_partition(*fast);
    EXPECT_TRUE(torch::allclose(before, after, 1e-10, 1e-10)) << before - after;
  }
}

// From a config: a Potts RBM on coloured bars and stripes; data that are not the visible layer's
// states are refused at the key, naming the row.
// Checkpoints written before the Bernoulli RBM was a pair of binary layers hold its fields as
// "visible_bias" and "hidden_bias": they load into the layers' fields; an unknown name is refused.
// The Gaussian-Bernoulli RBM's "visible_bias" and "log_variance" load into its scaled Gaussian layer.
TEST(LayeredRBM, ReadsCheckpointsThatNameTheFieldsByTheirFormerNames) {
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(4, 3).centered(true));
  const auto weight = torch::randn({4, 3}), b = torch::randn({4}), c = torch::randn({3});
  const auto mu = torch::rand({4}), lambda = torch::rand({3});
  auto write = [&](const std::string& bias_name) {
    torch::serialize::OutputArchive archive, model;
    archive.write("model_type", c10::IValue(std::string("bernoulli_rbm")));
    model.write("weight", weight), model.write(bias_name, b), model.write("hidden_bias", c);
    model.write("visible_offset", mu, true), model.write("hidden_offset", lambda, true);
    archive.write("model", model);
    std::stringstream bytes;
    archive.save_to(bytes);
    torch::serialize::InputArchive input;
    input.load_from(bytes);
    return input;
  };
  auto archive = write("visible_bias");
  trainers::read_model(archive, *rbm, "old.pt");
  EXPECT_TRUE(rbm->weight.equal(weight));
  EXPECT_TRUE(rbm->visible_field().equal(b));
  EXPECT_TRUE(rbm->hidden_field().equal(c));
  EXPECT_TRUE(rbm->visible_offset.equal(mu) && rbm->hidden_offset.equal(lambda));
  auto wrong = write("visible_bias_typo");
  try {
    trainers::read_model(wrong, *rbm, "old.pt");
    FAIL() << "a checkpoint without the visible field was read";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("old.pt: the checkpoint has no parameter 'visible.field'"), std::string::npos) << e.what();
  }
  auto gaussian = LayeredRBM(LayeredRBMOptions::gaussian_bernoulli(4, 3));
  const auto log_variance = torch::randn({4});
  torch::serialize::OutputArchive out, model;
  out.write("model_type", c10::IValue(std::string("gaussian_bernoulli_rbm")));
  model.write("weight", weight), model.write("visible_bias", b), model.write("hidden_bias", c), model.write("log_variance", log_variance);
  out.write("model", model);
  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  trainers::read_model(in, *gaussian, "old.pt");
  const auto& layer = dynamic_cast<const ScaledGaussianLayerImpl&>(*gaussian->visible);
  EXPECT_TRUE(gaussian->weight.equal(weight) && gaussian->hidden_field().equal(c));
  EXPECT_TRUE(layer.bias.equal(b) && layer.log_variance.equal(log_variance));
}

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
