// Block Gibbs over a graph colouring (the chromatic Gibbs sampler: Gonzalez, Low, Gretton &
// Guestrin 2011, "Parallel Gibbs sampling: from colored fields to thin junction trees"; THRML
// samples its Ising and Potts models this way) for models that are pairwise on a graph
// (EnergyModelImpl::interaction_graph: model.type ising or pairwise) over units of finitely many
// states s (EnergyModelImpl::unit_states: {0, 1}, spins, one-hot Potts states). The units are
// coloured so that no edge joins two of one colour (ebm/graph_colouring.h); units of one colour
// are then independent given the others, and a step draws each colour in turn, all its units at
// once, from their conditionals; the energy being affine in each unit's columns x_i,
//   p(x_i = s | x_-i) ∝ exp(-(E(x_i = s) - E(x))) = exp(-dE/dx_i . (s - x_i)) ∝ exp(-dE/dx_i . s)
// (for binary units sigmoid(-dE/dx_i)), read from one evaluation of the energy's gradient per
// colour. Each colour's update is an exact Gibbs step, so the law is left invariant; a step costs
// as many gradient evaluations as there are colours (two on a lattice of even sides, the
// checkerboard).
#pragma once

#include "samplers/sampler.h"

namespace ebm::samplers {

class ColourGibbsSampler : public Sampler {
 public:
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  // std::invalid_argument for a model without an interaction graph.
  void check_model(const EnergyModelImpl& model) const override;
  std::map<std::string, torch::Tensor> statistics() const override { return statistics_; }
  std::string name() const override { return "colour_gibbs"; }

 private:
  // The colouring of the last model's graph, kept while its edges are the same tensor.
  torch::Tensor edges_, colours_;
  int64_t colour_count_ = 0;
  std::map<std::string, torch::Tensor> statistics_;
};

}  // namespace ebm::samplers
