// Gibbs-with-Gradients (Grathwohl, Swersky, Hashemi, Duvenaud & Maddison 2021, "Oops I took a
// gradient"): Metropolis-Hastings for any differentiable energy on discrete data, whose proposal
// changes one variable, chosen by a first-order guess of how much each change lowers the energy.
// Binary units x in {0,1}^D: flipping unit i changes E by about -d_i(x), d_i(x) = (2 x_i - 1)
// dE/dx_i; the proposal is q(i | x) = softmax(d(x) / 2)_i, x' = x with unit i flipped, accepted with
//   min(1, exp(E(x) - E(x')) q(i | x') / q(i | x)).
// One-hot groups (categorical or Potts data, K columns per variable, one of them 1): moving
// variable j from its category c to k changes E by about -d_jk(x), d_jk(x) = dE/dx_jc - dE/dx_jk,
// and the proposal is the softmax of d / 2 over every (j, k) with k != c; the reverse move puts c
// back. The Metropolis correction makes p(x) ~ exp(-E(x)) invariant for any energy, exactly.
// Each step evaluates the energy and its gradient once, at the proposal (the current state's are
// kept).
#pragma once

#include "samplers/metropolis.h"
#include "samplers/sampler.h"

namespace ebm::samplers {

struct GibbsWithGradientsOptions {
  // 0: every column a binary unit; K >= 2: each K consecutive columns one categorical variable, one-hot.
  TORCH_ARG(int64_t, categories) = 0;
};

class GibbsWithGradientsSampler : public Sampler {
 public:
  explicit GibbsWithGradientsSampler(GibbsWithGradientsOptions options = {});
  // Throws std::invalid_argument for rows that do not split into one-hot groups of `categories`.
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  std::map<std::string, torch::Tensor> statistics() const override { return acceptance_.statistics(); }
  // Throws std::invalid_argument when `categories` does not divide the model's columns.
  void check_model(const EnergyModelImpl& model) const override;
  std::string name() const override { return "gibbs_with_gradients"; }

 private:
  GibbsWithGradientsOptions options_;
  AcceptanceCounter acceptance_;
};

}  // namespace ebm::samplers
