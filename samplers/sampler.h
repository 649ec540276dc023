// Sampler: a Markov kernel K(x' | x) that leaves p(x) = exp(-E(x)) / Z invariant (exactly, or
// approximately for unadjusted kernels), advancing a batch of independent chains (one per row).
#pragma once

#include <map>
#include <string>

#include <torch/serialize/archive.h>

#include "ebm/energy_model.h"

namespace ebm::samplers {

class Sampler {
 public:
  virtual ~Sampler() = default;
  // Advances the chains `x` [B, D] by `steps` transitions targeting `model`; returns the new
  // states, detached from any graph.
  virtual torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) = 0;
  // Kernel statistics of the last run (acceptance rates, swap rates), by name: float64 scalars
  // on the chains' device, so a training step reports them without waiting for the device.
  virtual std::map<std::string, torch::Tensor> statistics() const { return {}; }
  // Throws std::invalid_argument when the kernel's options cannot target `model` (annealed
  // Langevin's noise ladder on a model without a closed form). Which model types a kernel fits at
  // all is stated once, in the registry (config/registry.h, Accepts), not checked again here.
  virtual void check_model(const EnergyModelImpl& model) const {}
  // State a kernel carries between runs (parallel tempering's replicas), for checkpoints.
  virtual void save(torch::serialize::OutputArchive& archive) const {}
  virtual void load(torch::serialize::InputArchive& archive) {}
  virtual std::string name() const = 0;
  // Whether `run` can be recorded once as a CUDA graph and replayed (GraphedSampler): every
  // step's work is device work on fixed shapes, with no host reads of tensor values and no state
  // kept on the host between runs (acceptance counts, replicas). False unless a kernel says so.
  virtual bool graph_capturable() const { return false; }
};

// A sampler's statistics read to the host, for tools and reports.
inline std::map<std::string, double> host_statistics(const Sampler& sampler) {
  std::map<std::string, double> out;
  for (const auto& [name, value] : sampler.statistics()) out[name] = value.item<double>();
  return out;
}

}  // namespace ebm::samplers
