// Hamiltonian Monte Carlo (Duane et al. 1987; Neal 2011): momentum p ~ N(0, I), L leapfrog
// steps of size ε on H(x, p) = E(x) + |p|²/2,
//   p ← p - (ε/2)∇E(x);  x ← x + ε p;  p ← p - (ε/2)∇E(x)   (inner half-steps merged),
// then the end point is accepted with probability min(1, exp(H(x, p) - H(x', p'))).
#pragma once

#include "samplers/metropolis.h"
#include "samplers/sampler.h"

namespace ebm::samplers {

struct HMCOptions {
  TORCH_ARG(double, step_size) = 0.05;     // ε
  TORCH_ARG(int64_t, leapfrog_steps) = 10;  // L
};

class HMCSampler : public Sampler {
 public:
  explicit HMCSampler(HMCOptions options = {});
  // Each of `steps` transitions is one trajectory of L leapfrog steps.
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  std::map<std::string, torch::Tensor> statistics() const override { return acceptance_.statistics(); }
  std::string name() const override { return "hmc"; }

 private:
  HMCOptions options_;
  AcceptanceCounter acceptance_;
};

}  // namespace ebm::samplers
