// The pairwise model on a graph over binary, spin or Potts units (ebm/pairwise_model.h): its
// energy against a unit-by-unit, edge-by-edge sum for Potts units and against the Ising model's
// independent implementation for spin units; its gradient against autograd; pseudo-likelihood
// over Potts units against conditionals written out state by state; log Z by
// enumeration against a sum over every state written out here; block Gibbs over the colouring
// draws the enumerated law of a Potts model (chi-square over all 729 states); the exact gradient
// and pseudo-likelihood over Potts units both fit a known model from 2,000 exact draws to within
// a small KL divergence, where its independent part alone is far off.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "ebm/exact_enumeration.h"
#include "ebm/layers/potts_layer.h"
#include "ebm/layers/spin_layer.h"
#include "ebm/pairwise_ising.h"
#include "ebm/pairwise_model.h"
#include "samplers/colour_gibbs.h"
#include "support/numerical.h"
#include "trainers/bit_flip_objectives.h"
#include "trainers/evaluator.h"
#include "trainers/exact_likelihood.h"

namespace ebm {
namespace {

// A Potts model of `states` states on `sides`, couplings N(0, coupling_std²), fields N(0, 0.5²), in double.
PairwiseModel potts_model(const std::vector<int64_t>& sides, int64_t states, double coupling_std) {
  int64_t units = 1;
  for (const int64_t side : sides) units *= side;
  PairwiseModel model(PairwiseModelOptions(PottsLayer(units, states).ptr(), lattice_edges(sides)).init_std(coupling_std));
  model->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  model->units->field.normal_(0, 0.5);
  return model;
}

// Random one-hot rows of `units` units of `states` states: [n, units * states].
torch::Tensor random_potts_rows(int64_t n, int64_t units, int64_t states) {
  return torch::one_hot(torch::randint(states, {n, units}), states).to(torch::kFloat64).view({n, -1});
}

TEST(PairwiseModel, PottsEnergyIsTheSumOverUnitsAndEdges) {
  torch::manual_seed(51);
  auto model = potts_model({3, 2}, 4, 0.7);
  const auto x = random_potts_rows(5, 6, 4);
  const auto edges = model->interaction_graph().value();
  for (int64_t n = 0; n < 5; ++n) {
    const auto state = x[n].view({6, 4}).argmax(1);
    double e = 0;
    for (int64_t i = 0; i < 6; ++i) e -= model->units->field[i][state[i].item<int64_t>()].item<double>();
    for (int64_t k = 0; k < edges.size(0); ++k) {
      const int64_t i = edges[k][0].item<int64_t>(), j = edges[k][1].item<int64_t>();
      e -= model->couplings[k][state[i].item<int64_t>()][state[j].item<int64_t>()].item<double>();
    }
    EXPECT_NEAR(model->energy(x.slice(0, n, n + 1)).item<double>(), e, 1e-12) << n;
  }
  // The gradient in closed form against autograd, at one-hot rows and off them.
  const auto off = x + 0.3 * torch::randn_like(x);
  EXPECT_TRUE(torch::allclose(model->energy_gradient(off), model->EnergyModelImpl::energy_gradient(off), 1e-10, 1e-12));
  // Pseudo-likelihood over Potts units against -sum_i log p(x_i | x_-i), each conditional a
  // softmax over the unit's 4 states written out one by one; the two-state objectives refuse them.
  double pseudo_nll = 0;
  for (int64_t n = 0; n < 5; ++n) {
    for (int64_t i = 0; i < 6; ++i) {
      std::vector<double> neg_energies;
      for (int64_t k = 0; k < 4; ++k) {
        auto row = x.slice(0, n, n + 1).clone();
        row.slice(1, 4 * i, 4 * i + 4).zero_();
        row[0][4 * i + k] = 1;
        neg_energies.push_back(-model->energy(row).item<double>());
      }
      const auto log_p = torch::log_softmax(torch::tensor(neg_energies, torch::kFloat64), 0);
      pseudo_nll -= log_p[x[n].view({6, 4})[i].argmax().item<int64_t>()].item<double>();
    }
  }
  EXPECT_NEAR(trainers::BitFlipObjective("pseudo_likelihood").compute(*model, x).loss.item<double>(), pseudo_nll / 5, 1e-10);
  EXPECT_THROW(trainers::BitFlipObjective("mpf").compute(*model, x), std::invalid_argument);
  // The uniform model of 6 units of 4 states, the divergence guard's reference.
  EXPECT_DOUBLE_EQ(trainers::uniform_log_likelihood(*model), -6 * std::log(4.0));
}

TEST(PairwiseModel, SpinUnitsAreTheIsingModel) {
  torch::manual_seed(52);
  const auto edges = lattice_edges({4, 3});
  PairwiseModel spins(PairwiseModelOptions(SpinLayer(12).ptr(), edges).init_std(0.6));
  PairwiseIsing ising(PairwiseIsingOptions(12, edges));
  spins->to(torch::kFloat64), ising->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    spins->units->field.normal_(0, 0.5);
    ising->couplings.copy_(spins->couplings.flatten());
    ising->fields.copy_(spins->units->field);
  }
  const auto bits = torch::bernoulli(torch::full({7, 12}, 0.5, torch::kFloat64));
  EXPECT_TRUE(torch::allclose(spins->energy(2 * bits - 1), ising->energy(bits), 1e-12, 1e-12));
  EXPECT_THROW(PairwiseModel(PairwiseModelOptions(SpinLayer(3).ptr(), torch::tensor({1, 1}, torch::kLong).view({1, 2}))), std::invalid_argument);
}

// Each row's state number in mixed radix (unit i the i-th digit, base `states`), as
// EnumeratedLayer numbers them.
torch::Tensor potts_indices(const torch::Tensor& rows, int64_t units, int64_t states) {
  const auto digits = rows.view({rows.size(0), units, states}).argmax(2);
  const auto powers = torch::pow(states, torch::arange(units, torch::kInt64));
  return (digits * powers).sum(1);
}

TEST(PairwiseModel, LogPartitionIsTheSumOverEveryState) {
  torch::manual_seed(53);
  auto model = potts_model({2, 2}, 3, 0.8);
  std::vector<double> neg_energies;
  for (int64_t r = 0; r < 81; ++r) {
    auto row = torch::zeros({1, 12}, torch::kFloat64);
    for (int64_t i = 0, rest = r; i < 4; ++i, rest /= 3) row[0][i * 3 + rest % 3] = 1;
    neg_energies.push_back(-model->energy(row).item<double>());
  }
  const auto sum = torch::logsumexp(torch::tensor(neg_energies, torch::kFloat64), 0).item<double>();
  EXPECT_NEAR(visible_log_partition(*model, torch::kFloat64).item<double>(), sum, 1e-12);
  EXPECT_EQ(visible_log_probabilities(*model).size(0), 81);
}

TEST(ColourGibbs, DrawsTheEnumeratedLawOfAPottsModel) {
  torch::manual_seed(54);
  auto model = potts_model({3, 2}, 3, 0.8);
  samplers::ColourGibbsSampler sampler;
  const int64_t chains = 20000;
  torch::NoGradGuard no_grad;
  const auto x = sampler.run(*model, random_potts_rows(chains, 6, 3), 30);
  EXPECT_TRUE(torch::all(x.view({chains, 6, 3}).sum(2) == 1).item<bool>());
  const auto law = visible_log_probabilities(*model).exp();
  const auto counts = torch::bincount(potts_indices(x, 6, 3), {}, law.size(0)).to(torch::kFloat64);
  const auto [statistic, quantile] = testing::chi_square(counts, law * chains);
  EXPECT_LT(statistic, quantile);
}

// KL(p || q) of two laws given by log-probabilities.
double kl(const torch::Tensor& log_p, const torch::Tensor& log_q) { return (log_p.exp() * (log_p - log_q)).sum().item<double>(); }

TEST(PairwiseModel, ExactGradientAndPseudoLikelihoodFitAKnownPottsModel) {
  torch::set_num_threads(2);
  torch::manual_seed(55);
  const std::vector<int64_t> sides{3, 2};
  auto truth = potts_model(sides, 3, 0.8);
  const auto law = visible_log_probabilities(*truth);
  EnumeratedLayer all{false, torch::eye(3, torch::kFloat64), 6, 729};
  const auto data = all.states_at(torch::multinomial(law.exp(), 2000, true));
  // The independent model of the data's marginals: what no coupling can add.
  auto independent = potts_model(sides, 3, 0.0);
  independent->init_fields_from(data);
  const double independent_kl = kl(law, visible_log_probabilities(*independent));
  EXPECT_GT(independent_kl, 0.3);
  trainers::ExactLikelihood exact;
  trainers::BitFlipObjective pseudo_likelihood("pseudo_likelihood");
  for (trainers::Objective* objective : std::vector<trainers::Objective*>{&exact, &pseudo_likelihood}) {
    auto model = potts_model(sides, 3, 0.01);
    model->init_fields_from(data);
    torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(0.1));
    for (int step = 0; step < 150; ++step) {
      adam.zero_grad();
      objective->compute(*model, data).loss.backward();
      adam.step();
    }
    // 108 couplings and 18 fields from 2,000 draws (less the gauge freedom): the fit's expected KL
    // is at most 126 / (2 x 2,000) = 0.03 (measured: 0.011 for both; the independent model 0.48).
    EXPECT_LT(kl(law, visible_log_probabilities(*model)), 0.06) << objective->name() << "; independent " << independent_kl;
  }
}

}  // namespace
}  // namespace ebm
