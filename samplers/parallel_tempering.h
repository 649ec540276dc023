// Parallel tempering (replica exchange; Swendsen & Wang 1986, Geyer 1991) for latent-variable
// models, as used to train RBMs by Desjardins et al. 2010. K replicas sample the tempered
// models p_βk(v, h) ∝ exp(-βk E(v, h)) on a ladder β1 < ... < βK = 1, each by block Gibbs; after
// every sweep, neighbours (k, k+1) of alternating parity propose to exchange states, accepted
// with probability  min(1, exp((βk+1 - βk) (E(vk+1, hk+1) - E(vk, hk)))),
// which leaves the product of the tempered models invariant. Hot replicas cross energy barriers
// and hand their states down the ladder, so the β = 1 chain visits modes that Gibbs alone leaves.
#pragma once

#include <vector>

#include "samplers/sampler.h"

namespace ebm::samplers {

struct ParallelTemperingOptions {
  // Replicas, the β = 1 chain included.
  TORCH_ARG(int64_t, temperatures) = 10;
  // The hottest replica's inverse temperature; the ladder is evenly spaced in β up to 1.
  TORCH_ARG(double, min_beta) = 0.1;
};

class ParallelTemperingSampler : public Sampler {
 public:
  explicit ParallelTemperingSampler(ParallelTemperingOptions options = {});
  // `x` is the β = 1 chain; the hotter replicas persist between runs and start as copies of `x`
  // (again whenever the batch shape changes).
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  // swap_rate: accepted over proposed exchanges in the last run, over all pairs;
  // swap_rate_min: the rate of the worst pair (the ladder's bottleneck).
  std::map<std::string, torch::Tensor> statistics() const override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  std::string name() const override { return "parallel_tempering"; }

  // Inverse temperatures, increasing to 1.
  const std::vector<double>& betas() const { return betas_; }
  // Exchange rate of each neighbouring pair (k, k+1) in the last run; NaN where none was proposed.
  std::vector<double> pair_swap_rates() const;
  // All replicas [K, B, D], hottest first.
  const torch::Tensor& replicas() const { return replicas_; }

 private:
  ParallelTemperingOptions options_;
  std::vector<double> betas_;
  torch::Tensor replicas_;
  // Sweeps done so far; its parity picks which pairs propose, alternating across runs too.
  int64_t sweeps_ = 0;
  // Exchanges accepted and proposed per neighbouring pair in the last run, on the chains' device.
  torch::Tensor accepted_, proposed_;
  bool proposed_any_ = false;
};

}  // namespace ebm::samplers
