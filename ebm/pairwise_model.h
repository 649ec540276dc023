// A pairwise model on a graph over units of any discrete layer whose potential is linear in its
// state (ebm/layers/: binary {0,1}, spin {-1,+1}, Potts one-hot of q states): with x_i the c
// columns of unit i (c = q for Potts units, else 1), its fields theta_i and a coupling matrix J_e
// [c, c] per edge e = (i, j),
//   E(x) = -sum_i theta_i . x_i - sum_{e = (i, j)} x_i^T J_e x_j,
//   dE/dx_i = -(theta_i + sum_{e = (i, j)} J_e x_j + sum_{e = (j, i)} J_e^T x_j).
// With Potts units this is the generalised Potts model of direct-coupling analysis (Morcos et al.
// 2011; Ekeberg et al. 2013), with J_e = J delta_ab the ferromagnetic Potts model; with spin units
// the Ising model. Every field and coupling is trained (pseudo-likelihood, PCD with block Gibbs
// over a colouring of the graph, or the exact gradient by enumerating up to 2^24 states). The
// energy is affine in each unit's columns, which colour_gibbs and pseudo-likelihood use.
// Parameters: "couplings" [E, c, c], "units.field".
#pragma once

#include <torch/arg.h>
#include <torch/nn/pimpl.h>

#include "ebm/energy_model.h"
#include "ebm/layers/linear_layer.h"

namespace ebm {

struct PairwiseModelOptions {
  PairwiseModelOptions(std::shared_ptr<LinearLayerImpl> units, torch::Tensor edges) : units_(std::move(units)), edges_(std::move(edges)) {}
  TORCH_ARG(std::shared_ptr<LinearLayerImpl>, units);  // the units and their fields
  TORCH_ARG(torch::Tensor, edges);                     // int64 [E, 2], 0-based unit numbers
  TORCH_ARG(double, init_std) = 0.01;                  // std of the initial couplings
};

class PairwiseModelImpl : public EnergyModelImpl {
 public:
  // Throws std::invalid_argument for edges that are not [E, 2] unit numbers, a self-loop, or
  // units without finitely many states.
  explicit PairwiseModelImpl(const PairwiseModelOptions& options);
  torch::Tensor energy(const torch::Tensor& x) override;
  torch::Tensor energy_gradient(const torch::Tensor& x) override;
  int64_t dim() const override { return units->width(); }
  Domain domain() const override { return units->domain(); }
  std::string type_name() const override { return "pairwise"; }
  std::optional<torch::Tensor> unit_states() const override { return units->unit_states(); }
  std::optional<torch::Tensor> interaction_graph() const override { return edges_; }
  // Sets the fields to the independent model of `data`'s marginals (LayerImpl::independent_fit).
  void init_fields_from(const torch::Tensor& data);

  std::shared_ptr<LinearLayerImpl> units;
  torch::Tensor couplings;  // J [E, c, c]

 private:
  int64_t columns_per_unit() const { return units->width() / units->units(); }
  torch::Tensor edges_;  // not a buffer: Module::to(dtype) would make it floating
};
TORCH_MODULE(PairwiseModel);

}  // namespace ebm
