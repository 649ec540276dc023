// Langevin samplers for continuous energies.
//   Unadjusted (ULA; Roberts & Tweedie 1996; as used for EBMs by Du & Mordatch 2019):
//     x' = x - (ε/2) clip(∇x E(x)) + σ ξ,  ξ ~ N(0, I),  σ = √ε unless set apart:
//   practitioners decouple σ from ε (a smaller σ sharpens samples at the cost of a biased
//   stationary law). On N(0, 1) with σ = √ε the stationary variance is 1 / (1 - ε/4).
//   Metropolis-adjusted (MALA; Roberts & Tweedie 1996): the same proposal with σ = √ε, accepted
//   with probability min(1, exp(E(x) - E(y)) q(x | y) / q(y | x)), q(y | x) = N(y; x - (ε/2)∇E(x), ε I),
//   which makes the model's density exactly stationary.
#pragma once

#include "samplers/metropolis.h"
#include "samplers/sampler.h"

namespace ebm::samplers {

struct LangevinOptions {
  TORCH_ARG(double, step_size) = 0.01;  // ε
  // σ; a negative value means √ε (the exact discretisation of Langevin diffusion).
  TORCH_ARG(double, noise_scale) = -1;
  // Clamp each gradient element to [-grad_clip, grad_clip] before the step; 0 = off.
  TORCH_ARG(double, grad_clip) = 0;
};

class LangevinSampler : public Sampler {
 public:
  explicit LangevinSampler(LangevinOptions options = {});
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  std::string name() const override { return "langevin"; }
  bool graph_capturable() const override { return true; }

 private:
  LangevinOptions options_;
};

struct MALAOptions {
  TORCH_ARG(double, step_size) = 0.01;  // ε
};

class MALASampler : public Sampler {
 public:
  explicit MALASampler(MALAOptions options = {});
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  std::map<std::string, torch::Tensor> statistics() const override { return acceptance_.statistics(); }
  std::string name() const override { return "mala"; }

 private:
  MALAOptions options_;
  AcceptanceCounter acceptance_;
};

}  // namespace ebm::samplers
