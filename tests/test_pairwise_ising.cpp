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

}  // namespace
}  // namespace ebm
