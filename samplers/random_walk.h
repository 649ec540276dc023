// Random-walk Metropolis-Hastings for any energy (Metropolis et al. 1953): a symmetric proposal
// y, accepted with probability min(1, exp(E(x) - E(y))). Continuous models propose
// y = x + s ξ, ξ ~ N(0, I); binary models flip one uniformly chosen unit per chain.
// With heat_bath, y is accepted with Barker's (1965) probability exp(-E(y)) / (exp(-E(x)) +
// exp(-E(y))) = sigmoid(E(x) - E(y)): for the one-unit flips of a binary model this draws the
// chosen unit from its conditional given the others, i.e. random-scan (single-site) Gibbs.
#pragma once

#include "samplers/metropolis.h"
#include "samplers/sampler.h"

namespace ebm::samplers {

struct RandomWalkOptions {
  TORCH_ARG(double, proposal_std) = 0.1;  // s, continuous models only
  TORCH_ARG(bool, heat_bath) = false;     // Barker's acceptance: random-scan Gibbs on binary models
};

class RandomWalkSampler : public Sampler {
 public:
  explicit RandomWalkSampler(RandomWalkOptions options = {});
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  std::map<std::string, torch::Tensor> statistics() const override { return acceptance_.statistics(); }
  std::string name() const override { return options_.heat_bath() ? "random_scan_gibbs" : "random_walk"; }

 private:
  RandomWalkOptions options_;
  AcceptanceCounter acceptance_;
};

}  // namespace ebm::samplers
