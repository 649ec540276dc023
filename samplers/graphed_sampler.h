// A sampler's K steps as one CUDA graph: recorded once per (model and the storage of its
// parameters, shape, dtype, device, K) and replayed, so a training step launches one graph
// instead of K x (kernels per step) kernels and pays no per-kernel host overhead (CUDA Graphs;
// PyTorch's torch.cuda.graphs does the same).
//
// The replay runs the kernels of the recorded run in the same order on the same parameter
// storage (optimisers update it in place), and CUDA's Philox generator hands the graph the
// offsets the eager run would have used, so results match the ungraphed sampler up to
// floating-point order. The first run of a shape runs eagerly (lazy initialisation, cuBLAS
// handles); the second records and replays; later runs copy their chains into the recorded input
// and replay. Only kernels that say graph_capturable() are wrapped (no host state between runs).
// Elsewhere (CPU tensors, a build whose LibTorch has no CUDA) the inner sampler runs as it is.
#pragma once

#include <memory>
#include <string>

#include "samplers/sampler.h"

namespace ebm::samplers {

class GraphedSampler : public Sampler {
 public:
  explicit GraphedSampler(std::shared_ptr<Sampler> inner);
  ~GraphedSampler() override;
  // Whether this build's LibTorch can record CUDA graphs (it was built with CUDA).
  static bool available();
  // Why `inner` on `device` cannot run as a graph (device not CUDA, no CUDA build, host state
  // between runs); empty where it can. train.cuda_graphs and ebm bench ask this one question.
  static std::string unavailable_because(const Sampler& inner, const torch::Device& device);

  torch::Tensor run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) override;
  std::map<std::string, torch::Tensor> statistics() const override { return inner_->statistics(); }
  void check_model(const EnergyModelImpl& model) const override { inner_->check_model(model); }
  void save(torch::serialize::OutputArchive& archive) const override { inner_->save(archive); }
  void load(torch::serialize::InputArchive& archive) override { inner_->load(archive); }
  std::string name() const override { return inner_->name(); }
  bool graph_capturable() const override { return inner_->graph_capturable(); }
  // Graphs recorded so far (a new shape or K records another), for tests and reports.
  int64_t captures() const { return captures_; }

 private:
  struct Recording;  // the graph and its input and output buffers (CUDA builds only)
  std::shared_ptr<Sampler> inner_;
  std::unique_ptr<Recording> recording_;
  int64_t captures_ = 0;
};

}  // namespace ebm::samplers
