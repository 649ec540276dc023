// The lattice Ising model (ebm/lattice_ising.h), checkerboard Gibbs (samplers/
// checkerboard_gibbs.h) and Wolff's cluster moves (samplers/wolff_cluster.h) against exact
// references: the energy against a bond-by-bond sum, the sampled law of the magnetisation (of
// every state, for 3x3) and the mean energy of small periodic lattices against enumeration, the
// mean Wolff cluster against <M^2> / N, and a 256x256 lattice's magnetisation against Onsager's
// spontaneous magnetisation.
#include <gtest/gtest.h>
#include <functional>
#include <torch/torch.h>

#include <cmath>

#include "ebm/lattice_ising.h"
#include "samplers/checkerboard_gibbs.h"
#include "samplers/swendsen_wang.h"
#include "samplers/wolff_cluster.h"
#include "support/numerical.h"

namespace ebm {
namespace {

TEST(LatticeIsing, EnergyIsTheSumOverBondsAndField) {
  torch::manual_seed(1);
  const LatticeIsing lattice(LatticeIsingOptions({4, 6}).coupling(0.7).field(-0.3));
  const auto s = lattice.random_states(3);
  const auto energy = lattice.energy(s);
  for (int64_t c = 0; c < 3; ++c) {
    double e = 0;
    auto at = [&](int64_t i, int64_t j) { return static_cast<double>(s[c][(i + 4) % 4][(j + 6) % 6].item<int8_t>()); };
    for (int64_t i = 0; i < 4; ++i) {
      for (int64_t j = 0; j < 6; ++j) e += -0.7 * at(i, j) * (at(i + 1, j) + at(i, j + 1)) + 0.3 * at(i, j);
    }
    EXPECT_NEAR(energy[c].item<double>(), e, 1e-12);
  }
  // Enumeration: 2^4 distinct states of a 2x2 lattice; 25 sites are refused.
  const auto states = LatticeIsing(LatticeIsingOptions({2, 2})).all_states();
  EXPECT_EQ(std::get<0>(torch::unique_dim(states.flatten(1), 0)).size(0), 16);
  EXPECT_THROW(LatticeIsing(LatticeIsingOptions({5, 5})).all_states(), std::invalid_argument);
}

// p(M = m) of the model by enumeration, over the magnetisation sums m = -N, -N + 2, ..., N.
torch::Tensor exact_magnetisation_law(const LatticeIsing& lattice, double beta, double* mean_energy) {
  const auto states = lattice.all_states();
  const auto energy = lattice.energy(states);
  const auto log_p = -beta * energy - torch::logsumexp(-beta * energy, 0);
  const auto p = log_p.exp();
  *mean_energy = (p * energy).sum().item<double>();
  const auto bin = torch::div(states.flatten(1).to(torch::kLong).sum(1) + lattice.sites(), 2, "floor");
  return torch::zeros({lattice.sites() + 1}, torch::kFloat64).index_add_(0, bin, p);
}

// Independent chains after enough sweeps are draws from the model: their magnetisation histogram
// passes a chi-square test against enumeration, and their mean energy is the exact one within
// four standard errors; at the critical coupling, with a field, and on a 3-D lattice with double
// bonds (sides of 2).
TEST(CheckerboardGibbs, DrawsTheEnumeratedLawOfSmallLattices) {
  torch::set_num_threads(2);
  torch::manual_seed(2);
  struct Case {
    std::vector<int64_t> sides;
    double beta, field;
  };
  for (const auto& c : {Case{{4, 4}, onsager_critical_beta(), 0.0}, Case{{4, 4}, 0.3, 0.15}, Case{{4, 2, 2}, 0.25, 0.0}}) {
    const LatticeIsing lattice(LatticeIsingOptions(c.sides).field(c.field));
    double exact_energy = 0;
    const auto law = exact_magnetisation_law(lattice, c.beta, &exact_energy);
    const int64_t chains = 20000;
    auto spins = lattice.random_states(chains);
    samplers::checkerboard_gibbs(lattice, c.beta, spins, 100);
    const auto bin = torch::div(spins.flatten(1).to(torch::kLong).sum(1) + lattice.sites(), 2, "floor");
    const auto counts = torch::bincount(bin, {}, lattice.sites() + 1).to(torch::kFloat64);
    const auto [statistic, quantile] = testing::chi_square(counts, law * chains);
    EXPECT_LT(statistic, quantile) << "sides " << c10::IntArrayRef(c.sides) << ", beta " << c.beta << "\n" << counts << "\n" << law * chains;
    const auto energy = lattice.energy(spins);
    const double standard_error = energy.std().item<double>() / std::sqrt(static_cast<double>(chains));
    EXPECT_NEAR(energy.mean().item<double>(), exact_energy, 4 * standard_error) << "sides " << c10::IntArrayRef(c.sides);
  }
}

// The draws depend on the seed only, not on the number of threads.
TEST(CheckerboardGibbs, TheThreadCountChangesNothing) {
  const LatticeIsing lattice(LatticeIsingOptions({16, 34}));
  std::vector<torch::Tensor> results;
  for (int threads : {1, 2}) {
    torch::set_num_threads(threads);
    torch::manual_seed(3);
    auto spins = lattice.random_states(5);
    samplers::checkerboard_gibbs(lattice, 0.4, spins, 20);
    results.push_back(spins);
  }
  EXPECT_TRUE(torch::equal(results[0], results[1]));
  EXPECT_THROW(samplers::checkerboard_gibbs(LatticeIsing(LatticeIsingOptions({5, 4})), 0.4, results[0], 1), std::invalid_argument);
}

// A 256x256 lattice started ordered keeps Onsager's spontaneous magnetisation below T_c
// (T = 2.0 and 2.2: 0.9113 and 0.7849) and loses it above (T = 2.6); means over 1,000 sweeps
// after 300.
TEST(CheckerboardGibbs, MagnetisationOfALargeLatticeIsOnsagers) {
  torch::set_num_threads(2);
  torch::manual_seed(4);
  const LatticeIsing lattice(LatticeIsingOptions({256, 256}));
  for (const double temperature : {2.0, 2.2, 2.6}) {
    const double beta = 1 / temperature;
    auto spins = torch::ones({1, 256, 256}, torch::kInt8);
    samplers::checkerboard_gibbs(lattice, beta, spins, 300);
    double sum = 0;
    for (int sweep = 0; sweep < 1000; ++sweep) {
      samplers::checkerboard_gibbs(lattice, beta, spins, 1);
      sum += std::abs(LatticeIsing::magnetisation(spins).item<double>());
    }
    const double measured = sum / 1000, onsager = onsager_magnetisation(beta);
    if (temperature < 2.269) {
      EXPECT_NEAR(measured, onsager, 0.01) << "T = " << temperature;
    } else {
      EXPECT_EQ(onsager, 0.0);
      EXPECT_LT(measured, 0.05) << "T = " << temperature;
    }
  }
  EXPECT_NEAR(onsager_magnetisation(0.5), 0.911319, 1e-6);
  EXPECT_NEAR(1 / onsager_critical_beta(), 2.269185, 1e-6);
}

// The law of every state of a small lattice at beta, by enumeration.
struct EnumeratedLaw {
  torch::Tensor states, law;
  double mean_energy = 0, energy_sd = 0;
};
EnumeratedLaw enumerated_law(const LatticeIsing& lattice, double beta) {
  EnumeratedLaw out;
  out.states = lattice.all_states();
  const auto energies = lattice.energy(out.states);
  out.law = (-beta * energies - torch::logsumexp(-beta * energies, 0)).exp();
  out.mean_energy = (out.law * energies).sum().item<double>();
  out.energy_sd = std::sqrt((out.law * (energies - out.mean_energy).pow(2)).sum().item<double>());
  return out;
}

// Chains `spins` are draws of `exact`: a chi-square test of their whole state (up to 9 sites, as
// all_states orders them) or their magnetisation, and their mean energy within four standard errors.
void expect_draws_of(const LatticeIsing& lattice, const EnumeratedLaw& exact, const torch::Tensor& spins, const std::string& where) {
  const int64_t chains = spins.size(0), sites = lattice.sites();
  torch::Tensor counts, expected;
  if (sites <= 9) {
    const auto code = ((spins.flatten(1).to(torch::kLong) + 1).div(2, "floor") * torch::pow(2, torch::arange(sites, torch::kLong)).to(torch::kLong)).sum(1);
    counts = torch::bincount(code, {}, int64_t{1} << sites).to(torch::kFloat64);
    expected = exact.law * chains;
  } else {
    const auto bin = torch::div(spins.flatten(1).to(torch::kLong).sum(1) + sites, 2, "floor");
    counts = torch::bincount(bin, {}, sites + 1).to(torch::kFloat64);
    const auto exact_bin = torch::div(exact.states.flatten(1).to(torch::kLong).sum(1) + sites, 2, "floor");
    expected = torch::zeros({sites + 1}, torch::kFloat64).index_add_(0, exact_bin, exact.law) * chains;
  }
  const auto [statistic, quantile] = testing::chi_square(counts, expected);
  EXPECT_LT(statistic, quantile) << where;
  EXPECT_NEAR(lattice.energy(spins).mean().item<double>(), exact.mean_energy, 4 * exact.energy_sd / std::sqrt(double(chains))) << where;
}

// A cluster sampler's `moves` (which change the spins and return a per-chain count) give the same
// spins and counts on one thread and on two, from the same seed.
void expect_independent_of_threads(const LatticeIsing& lattice, const std::function<torch::Tensor(torch::Tensor&)>& moves) {
  std::vector<torch::Tensor> results, counts;
  for (int threads : {1, 2}) {
    torch::set_num_threads(threads);
    torch::manual_seed(6);
    auto spins = lattice.random_states(5);
    counts.push_back(moves(spins));
    results.push_back(spins);
  }
  EXPECT_TRUE(torch::equal(results[0], results[1]));
  EXPECT_TRUE(torch::equal(counts[0], counts[1]));
}

// Wolff's moves leave the enumerated law invariant: independent chains after enough moves pass
// a chi-square test of their magnetisation against enumeration (of their whole state on a 3x3
// lattice, whose odd sides the checkerboard cannot colour), their mean energy is the exact one
// within four standard errors, and the mean cluster is <M^2> / N (Wolff 1989's improved
// estimator of the susceptibility) within four standard errors; at the critical coupling, on a
// 3-D lattice with double bonds and near zero temperature, where clusters are whole lattices.
TEST(WolffCluster, DrawsTheEnumeratedLawOfSmallLattices) {
  torch::set_num_threads(2);
  torch::manual_seed(5);
  struct Case {
    std::vector<int64_t> sides;
    double beta;
  };
  for (const auto& c : {Case{{4, 4}, onsager_critical_beta()}, Case{{3, 3}, 0.3}, Case{{4, 2, 2}, 0.25}, Case{{3, 4}, 2.0}}) {
    const LatticeIsing lattice(c.sides);
    const auto exact = enumerated_law(lattice, c.beta);
    const double n = static_cast<double>(lattice.sites());
    const double exact_cluster = (exact.law * LatticeIsing::magnetisation(exact.states).pow(2)).sum().item<double>() * n;
    const int64_t chains = 20000;
    auto spins = lattice.random_states(chains);
    samplers::wolff_moves(lattice, c.beta, spins, 200);
    const std::string where = "sides " + c10::str(c10::IntArrayRef(c.sides)) + ", beta " + std::to_string(c.beta);
    expect_draws_of(lattice, exact, spins, where);
    // (plus the mean's resolution, N / chains: near zero temperature every cluster is the lattice)
    const auto clusters = samplers::wolff_moves(lattice, c.beta, spins, 1).to(torch::kFloat64);
    EXPECT_NEAR(clusters.mean().item<double>(), exact_cluster, 4 * clusters.std().item<double>() / std::sqrt(double(chains)) + n / chains)
        << where;
  }
}

// The moves depend on the seed only, not on the number of threads; fields, antiferromagnets and
// other spins are refused.
TEST(WolffCluster, TheThreadCountChangesNothingAndBadInputIsRefused) {
  const LatticeIsing lattice(LatticeIsingOptions({9, 12}));
  expect_independent_of_threads(lattice, [&](torch::Tensor& spins) { return samplers::wolff_moves(lattice, 0.44, spins, 30); });
  auto spins = lattice.random_states(2);
  EXPECT_THROW(samplers::wolff_moves(LatticeIsing(LatticeIsingOptions({9, 12}).field(0.1)), 0.4, spins, 1), std::invalid_argument);
  EXPECT_THROW(samplers::wolff_moves(LatticeIsing(LatticeIsingOptions({9, 12}).coupling(-1)), 0.4, spins, 1), std::invalid_argument);
  auto wrong = spins.to(torch::kFloat32);
  EXPECT_THROW(samplers::wolff_moves(lattice, 0.4, wrong, 1), std::invalid_argument);
}

// Swendsen-Wang sweeps leave the enumerated law invariant: independent chains after 50 sweeps
// pass a chi-square test of their whole state (3x3, with a field) or magnetisation (4x4 at the
// critical coupling, 4x2x2 with double bonds and a field, 3x4 near zero temperature) against
// enumeration, and their mean energy is the exact one within four standard errors. Dropping the
// field from the clusters' spins (one half for every cluster) fails the cases with a field.
TEST(SwendsenWang, DrawsTheEnumeratedLawOfSmallLattices) {
  torch::set_num_threads(2);
  torch::manual_seed(8);
  struct Case {
    std::vector<int64_t> sides;
    double beta, field;
  };
  for (const auto& c : {Case{{4, 4}, onsager_critical_beta(), 0.0}, Case{{3, 3}, 0.3, 0.2}, Case{{4, 2, 2}, 0.25, 0.1},
                        Case{{3, 4}, 2.0, 0.0}}) {
    const LatticeIsing lattice(LatticeIsingOptions(c.sides).field(c.field));
    const int64_t chains = 20000;
    auto spins = lattice.random_states(chains);
    const auto clusters = samplers::swendsen_wang_sweeps(lattice, c.beta, spins, 50);
    const std::string where = "sides " + c10::str(c10::IntArrayRef(c.sides)) + ", beta " + std::to_string(c.beta);
    EXPECT_TRUE((clusters >= 1).all().item<bool>() && (clusters <= lattice.sites()).all().item<bool>()) << where;
    expect_draws_of(lattice, enumerated_law(lattice, c.beta), spins, where);
  }
}

// The sweeps depend on the seed only, not on the number of threads; antiferromagnets, negative
// temperatures and other spins are refused.
TEST(SwendsenWang, TheThreadCountChangesNothingAndBadInputIsRefused) {
  const LatticeIsing lattice(LatticeIsingOptions({9, 12}).field(0.05));
  expect_independent_of_threads(lattice, [&](torch::Tensor& spins) { return samplers::swendsen_wang_sweeps(lattice, 0.44, spins, 10); });
  auto spins = lattice.random_states(2);
  EXPECT_THROW(samplers::swendsen_wang_sweeps(LatticeIsing(LatticeIsingOptions({9, 12}).coupling(-1)), 0.4, spins, 1), std::invalid_argument);
  EXPECT_THROW(samplers::swendsen_wang_sweeps(lattice, -0.1, spins, 1), std::invalid_argument);
  auto wrong = spins.to(torch::kFloat32);
  EXPECT_THROW(samplers::swendsen_wang_sweeps(lattice, 0.4, wrong, 1), std::invalid_argument);
}

}  // namespace
}  // namespace ebm
