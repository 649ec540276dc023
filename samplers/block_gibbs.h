// Block Gibbs sampling for latent-variable models (Geman & Geman 1984; Hinton 2002):
// one transition draws h ~ p(h | v), then v ~ p(v | h). Both conditionals factorise over units
// in an RBM, so each half-step is one matrix product and one elementwise draw.
#pragma once

#include "samplers/sampler.h"

namespace ebm::samplers {

class BlockGibbsSampler : public Sampler {
 public:
  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& v, int64_t steps) override;
  // Only latent-variable models (RBMs) have the two conditionals the kernel alternates.
  std::string name() const override { return "gibbs"; }
  bool graph_capturable() const override { return true; }
};

}  // namespace ebm::samplers
