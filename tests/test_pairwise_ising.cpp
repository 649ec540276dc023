// The pairwise Ising model on a graph (ebm/pairwise_ising.h): its energy against the lattice
// model's independent implementation (ebm/lattice_ising.h, double bonds included); the exact
// gradient and pseudo-likelihood both recover the couplings and fields of a known 3x3 model from
// 5,000 exact draws (the exact law by enumeration of its 512 states); edge lists are read and
// their errors named by line. Gradients, row independence and the samplers' laws are checked for
// every model in test_conformance.cpp.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ebm/lattice_ising.h"
#include "ebm/pairwise_ising.h"
#include "ebm/exact_enumeration.h"
#include "ebm/graph_colouring.h"
#include "ebm/mlp_energy.h"
#include "samplers/colour_gibbs.h"
#include "support/numerical.h"
#include "test_support.h"
#include "trainers/bit_flip_objectives.h"
#include "trainers/exact_likelihood.h"

namespace ebm {
namespace {

TEST(PairwiseIsing, EnergyIsTheLatticeModelsOnALattice) {
  torch::manual_seed(41);
  for (const std::vector<int64_t>& sides : {std::vector<int64_t>{4, 4}, std::vector<int64_t>{4, 2, 2}, std::vector<int64_t>{3, 5}}) {
    const LatticeIsing lattice(LatticeIsingOptions(sides).coupling(0.7).field(-0.3));
    const int64_t n = lattice.sites();
    PairwiseIsing model(PairwiseIsingOptions(n, lattice_edges(sides)));
    model->to(torch::kFloat64);
    {
      torch::NoGradGuard no_grad;
      model->couplings.fill_(0.7);
      model->fields.fill_(-0.3);
    }
    const auto spins = lattice.random_states(6);
    const auto x = ((spins.to(torch::kFloat64) + 1) / 2).flatten(1);
    EXPECT_TRUE(torch::allclose(model->energy(x), lattice.energy(spins), 1e-12, 1e-12)) << c10::IntArrayRef(sides);
  }
  EXPECT_EQ(complete_edges(5).size(0), 10);
  EXPECT_THROW(PairwiseIsing(PairwiseIsingOptions(3, torch::tensor({0, 3}, torch::kLong).view({1, 2}))), std::invalid_argument);
  EXPECT_THROW(PairwiseIsing(PairwiseIsingOptions(3, torch::tensor({1, 1}, torch::kLong).view({1, 2}))), std::invalid_argument);
}

// Fits `model` to `data` by `objective`, full batch, Adam.
void fit(EnergyModelImpl& model, trainers::Objective& objective, const torch::Tensor& data) {
  torch::optim::Adam adam(model.parameters(), torch::optim::AdamOptions(0.1));
  for (int step = 0; step < 300; ++step) {
    adam.zero_grad();
    objective.compute(model, data).loss.backward();
    adam.step();
  }
}

TEST(PairwiseIsing, ExactGradientAndPseudoLikelihoodRecoverAKnownModel) {
  torch::set_num_threads(2);
  torch::manual_seed(42);
  const auto edges = lattice_edges({3, 3});  // odd sides: 18 distinct bonds
  PairwiseIsing truth(PairwiseIsingOptions(9, edges));
  truth->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    truth->couplings.normal_(0.3, 0.2);
    truth->fields.normal_(0, 0.2);
  }
  const auto states = all_binary_states(9);
  torch::Tensor law;
  {
    torch::NoGradGuard no_grad;
    law = torch::softmax(-truth->energy(states), 0);
  }
  const auto data = states.index_select(0, torch::multinomial(law, 5000, true));
  trainers::ExactLikelihood exact;
  trainers::BitFlipObjective pseudo_likelihood("pseudo_likelihood");
  for (trainers::Objective* objective : std::vector<trainers::Objective*>{&exact, &pseudo_likelihood}) {
    PairwiseIsing model(PairwiseIsingOptions(9, edges));
    model->to(torch::kFloat64);
    fit(*model, *objective, data);
    const double j_error = (model->couplings - truth->couplings).abs().max().item<double>();
    const double h_error = (model->fields - truth->fields).abs().max().item<double>();
    EXPECT_LT(j_error, 0.1) << objective->name();  // about 4 standard errors of 5,000 draws
    EXPECT_LT(h_error, 0.1) << objective->name();
  }
}

TEST(PairwiseIsing, EdgeListsAreReadAndTheirErrorsNamedByLine) {
  const auto dir = testing::scratch_dir();
  testing::write_text(dir / "ring.csv", "# a ring of four\n0,1\n1 2\n\n2,3  # last but one\n3,0\n");
  const auto edges = read_edge_list((dir / "ring.csv").string(), 4);
  EXPECT_TRUE(torch::equal(edges, torch::tensor({0, 1, 1, 2, 2, 3, 3, 0}, torch::kLong).view({4, 2})));
  testing::write_text(dir / "bad.csv", "0,1\n1,7\n");
  try {
    read_edge_list((dir / "bad.csv").string(), 4);
    FAIL() << "an edge to unit 7 of 4 was read";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("bad.csv:2:"), std::string::npos) << error.what();
  }
  EXPECT_THROW(read_edge_list((dir / "none.csv").string(), 4), std::invalid_argument);
}

// The greedy colouring is proper (no edge inside a colour) and uses the colours a graph needs
// where the rule finds them: two on a lattice of even sides, three on an odd ring, N on the
// complete graph; on a 3x3 torus it takes four where three would do (at most degree + 1).
TEST(GraphColouring, IsProperAndUsesTheColoursAGraphNeeds) {
  struct Case {
    std::string name;
    torch::Tensor edges;
    int64_t vertices, colours;
  };
  auto ring_edges = torch::empty({7, 2}, torch::kLong);
  for (int64_t i = 0; i < 7; ++i) ring_edges[i][0] = i, ring_edges[i][1] = (i + 1) % 7;
  for (const auto& c : {Case{"lattice 6x4", lattice_edges({6, 4}), 24, 2}, Case{"lattice 4x2x2", lattice_edges({4, 2, 2}), 16, 2},
                        Case{"ring of 7", ring_edges, 7, 3}, Case{"complete 6", complete_edges(6), 6, 6}, Case{"lattice 3x3", lattice_edges({3, 3}), 9, 4}}) {
    const auto colour = greedy_colouring(c.edges, c.vertices);
    EXPECT_FALSE(colour.index_select(0, c.edges.select(1, 0)).eq(colour.index_select(0, c.edges.select(1, 1))).any().item<bool>()) << c.name;
    EXPECT_EQ(colour.max().item<int64_t>() + 1, c.colours) << c.name;
  }
}

// Block Gibbs over the colouring leaves an Ising model's law invariant: on a 3x3 lattice (odd
// sides: four colours here, where a checkerboard would update neighbours together) with random
// couplings and fields, 20,000 chains after 30 sweeps pass a chi-square test of all 512 states.
TEST(ColourGibbs, DrawsTheEnumeratedLawOfAnIsingModelOnAGraph) {
  torch::manual_seed(4);
  PairwiseIsing ising(PairwiseIsingOptions(9, lattice_edges({3, 3})).init_std(0.5));
  ising->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    ising->fields.normal_(0, 0.3);
  }
  samplers::ColourGibbsSampler sampler;
  const int64_t chains = 20000;
  torch::NoGradGuard no_grad;
  const auto x = sampler.run(*ising, torch::bernoulli(torch::full({chains, 9}, 0.5, torch::kFloat64)), 30);
  EXPECT_EQ(samplers::host_statistics(sampler).at("colours"), 4.0);
  const auto law = visible_log_probabilities(*ising).exp();
  const auto counts = torch::bincount(state_indices(x), {}, law.size(0)).to(torch::kFloat64);
  const auto [statistic, quantile] = testing::chi_square(counts, law * chains);
  EXPECT_LT(statistic, quantile);
  // A model without a graph is refused.
  EXPECT_THROW(sampler.check_model(*MLPEnergy(MLPEnergyOptions(9, {4}).domain(Domain::Binary))), std::invalid_argument);
}

}  // namespace
}  // namespace ebm
