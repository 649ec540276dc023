// An Ising model on a graph you give, over binary data x in {0,1}^N read as spins s = 2x - 1:
//   E(x) = -sum_{e = (i, j) in G} J_e s_i s_j - sum_i h_i s_i,
//   dE/dx_i = 2 dE/ds_i = -2 (sum_{e ~ i} J_e s_other(e) + h_i),
// with a coupling J_e per edge and a field h_i per unit, all trained (pseudo-likelihood, PCD with
// single-unit samplers, or the exact gradient by enumeration up to 24 units). The graph is a
// periodic lattice (each site's bond to its next neighbour along every axis, so a side of 2 gives
// a double bond, as ebm/lattice_ising.h counts it), the complete graph, or an edge list.
#pragma once

#include <torch/arg.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "ebm/energy_model.h"

namespace ebm {

struct PairwiseIsingOptions {
  PairwiseIsingOptions(int64_t units, torch::Tensor edges) : units_(units), edges_(std::move(edges)) {}
  TORCH_ARG(int64_t, units);
  TORCH_ARG(torch::Tensor, edges);  // int64 [E, 2], 0-based unit numbers
  TORCH_ARG(double, init_std) = 0.01;  // std of the initial couplings (fields start at 0)
};

class PairwiseIsingImpl : public EnergyModelImpl {
 public:
  // Throws std::invalid_argument for edges that are not [E, 2] unit numbers below `units`, or a self-loop.
  explicit PairwiseIsingImpl(const PairwiseIsingOptions& options);
  torch::Tensor energy(const torch::Tensor& x) override;
  torch::Tensor energy_gradient(const torch::Tensor& x) override;
  int64_t dim() const override { return fields.size(0); }
  Domain domain() const override { return Domain::Binary; }
  std::string type_name() const override { return "ising"; }
  const torch::Tensor& edges() const { return edges_; }
  std::optional<torch::Tensor> interaction_graph() const override { return edges_; }

  torch::Tensor couplings;  // J [E]
  torch::Tensor fields;     // h [N]

 private:
  // Not a buffer: Module::to(dtype) would make it floating. Used on the input's device.
  torch::Tensor edges_;
  torch::Tensor edges_on(const torch::Device& device) const { return edges_.device() == device ? edges_ : edges_.to(device); }
};
TORCH_MODULE(PairwiseIsing);

// Each site's bond to its next neighbour along every axis of a periodic lattice, row-major sites: [N d, 2].
torch::Tensor lattice_edges(const std::vector<int64_t>& sides);
// Every pair i < j: [N (N - 1) / 2, 2].
torch::Tensor complete_edges(int64_t units);
// An edge list, one "i,j" (or "i j") per line, 0-based, # comments and blank lines skipped;
// std::invalid_argument naming the line of anything else or a unit not below `units`.
torch::Tensor read_edge_list(const std::string& path, int64_t units);

}  // namespace ebm
