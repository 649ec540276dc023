#include "samplers/swendsen_wang.h"

#include <torch/torch.h>

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "ebm/seed.h"
#include "io/interrupt.h"
#include "samplers/chain_streams.h"

namespace ebm::samplers {

namespace {

// Union-find over a chain's sites, with path halving and union by size.
struct Clusters {
  std::vector<int64_t> parent, size;
  explicit Clusters(int64_t sites) : parent(static_cast<size_t>(sites)), size(static_cast<size_t>(sites)) {}
  void reset() {
    std::iota(parent.begin(), parent.end(), int64_t{0});
    std::fill(size.begin(), size.end(), int64_t{1});
  }
  int64_t root(int64_t site) {
    while (parent[site] != site) site = parent[site] = parent[parent[site]];
    return site;
  }
  void join(int64_t a, int64_t b) {
    a = root(a), b = root(b);
    if (a == b) return;
    if (size[a] < size[b]) std::swap(a, b);
    parent[b] = a, size[a] += size[b];
  }
};

// `sweeps` sweeps of one chain; returns the clusters of the last.
int64_t chain_sweeps(const LatticeIsing& lattice, int8_t* spin, int64_t sweeps, uint64_t bond_below, double beta,
                     uint64_t& stream, Clusters& clusters, std::vector<int8_t>& cluster_spin) {
  const auto& sides = lattice.options().sides();
  const int64_t d = lattice.dims(), sites = lattice.sites();
  const double field = lattice.options().field();
  std::vector<int64_t> stride(static_cast<size_t>(d), 1);
  for (int64_t a = d - 2; a >= 0; --a) stride[a] = stride[a + 1] * sides[a + 1];
  int64_t count = 0;
  for (int64_t sweep = 0; sweep < sweeps; ++sweep) {
    clusters.reset();
    // Each site's bond to its next neighbour along every axis: every bond once (twice for a side of 2).
    for (int64_t site = 0; site < sites; ++site) {
      for (int64_t a = 0; a < d; ++a) {
        const int64_t coordinate = (site / stride[a]) % sides[a];
        const int64_t up = coordinate + 1 == sides[a] ? site - coordinate * stride[a] : site + stride[a];
        if (spin[site] == spin[up] && next_draw(stream) < bond_below) clusters.join(site, up);
      }
    }
    // Each cluster's spin, drawn when its root is first met (sites in order).
    std::fill(cluster_spin.begin(), cluster_spin.end(), int8_t{0});
    count = 0;
    for (int64_t site = 0; site < sites; ++site) {
      const int64_t root = clusters.root(site);
      if (cluster_spin[root] == 0) {
        const double up = 1 / (1 + std::exp(-2 * beta * field * static_cast<double>(clusters.size[root])));
        cluster_spin[root] = next_draw(stream) < probability_threshold(up) ? int8_t{1} : int8_t{-1};
        ++count;
      }
      spin[site] = cluster_spin[root];
    }
  }
  return count;
}

}  // namespace

torch::Tensor swendsen_wang_sweeps(const LatticeIsing& lattice, double beta, torch::Tensor& spins, int64_t sweeps) {
  if (!(lattice.options().coupling() > 0)) throw std::invalid_argument("Swendsen-Wang sweeps need a ferromagnetic coupling J > 0");
  if (!(beta >= 0)) throw std::invalid_argument("Swendsen-Wang sweeps need an inverse temperature beta >= 0");
  lattice.check_states(spins, "Swendsen-Wang sweeps");
  if (!spins.device().is_cpu()) throw std::invalid_argument("Swendsen-Wang sweeps run on the CPU");
  const uint64_t bond_below = probability_threshold(-std::expm1(-2.0 * beta * lattice.options().coupling()));
  const int64_t chains = spins.size(0), sites = lattice.sites();
  auto counts = torch::zeros({chains}, torch::kLong);
  io::interruption_point("Swendsen-Wang sweeps");
  int8_t* const all = spins.data_ptr<int8_t>();
  int64_t* const out = counts.data_ptr<int64_t>();
  for_each_chain(chains, draw_seed(), [&](int64_t chain, uint64_t& stream) {
    Clusters clusters(sites);
    std::vector<int8_t> cluster_spin(static_cast<size_t>(sites));
    out[chain] = chain_sweeps(lattice, all + chain * sites, sweeps, bond_below, beta, stream, clusters, cluster_spin);
  });
  return counts;
}

}  // namespace ebm::samplers
