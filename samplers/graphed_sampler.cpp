#include "samplers/graphed_sampler.h"

#include <torch/torch.h>

#include <optional>
#include <stdexcept>

#ifdef EBM_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace ebm::samplers {

namespace {
// Where the model's parameters and buffers live. A graph reads them at the addresses it was
// recorded with: optimisers update them in place, but loading a state (a rollback after
// divergence, a checkpoint) may give them new storage, and then the graph is recorded again.
std::vector<const void*> storage_of(const EnergyModelImpl& model) {
  std::vector<const void*> out;
  for (const auto& p : model.parameters()) out.push_back(p.data_ptr());
  for (const auto& b : model.buffers()) out.push_back(b.data_ptr());
  return out;
}
}  // namespace

struct GraphedSampler::Recording {
  Recording(const EnergyModelImpl& m, const torch::Tensor& x, int64_t k)
      : model(&m), storage(storage_of(m)), sizes(x.sizes().vec()), dtype(x.scalar_type()), device(x.device()), steps(k) {}

  const EnergyModelImpl* model;
  std::vector<const void*> storage;
  std::vector<int64_t> sizes;
  torch::Dtype dtype;
  torch::Device device;
  int64_t steps;
  bool warmed_up = false;  // the first run of this key ran eagerly
  torch::Tensor input, output;  // the graph reads its chains from input and writes output
#ifdef EBM_WITH_CUDA
  std::optional<c10::cuda::CUDAStream> stream;  // where the warm-up runs and the graph is recorded
  std::unique_ptr<at::cuda::CUDAGraph> graph;
#endif

  bool matches(const EnergyModelImpl& m, const torch::Tensor& x, int64_t k) const {
    return model == &m && x.sizes().vec() == sizes && x.scalar_type() == dtype && x.device() == device && k == steps &&
           storage_of(m) == storage;
  }
};

GraphedSampler::GraphedSampler(std::shared_ptr<Sampler> inner) : inner_(std::move(inner)) {}

GraphedSampler::~GraphedSampler() = default;

bool GraphedSampler::available() {
#ifdef EBM_WITH_CUDA
  return true;
#else
  return false;
#endif
}

std::string GraphedSampler::unavailable_because(const Sampler& inner, const torch::Device& device) {
  if (!device.is_cuda()) return "device is " + device.str() + " (CUDA graphs need device: cuda)";
  if (!available()) return "this build's LibTorch has no CUDA graphs";
  if (!inner.graph_capturable()) {
    return "the " + inner.name() + " sampler keeps state on the host between runs (gibbs and langevin do not)";
  }
  return "";
}

torch::Tensor GraphedSampler::run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) {
#ifdef EBM_WITH_CUDA
  if (x.is_cuda() && steps > 0 && inner_->graph_capturable()) {
    if (!recording_ || !recording_->matches(model, x, steps)) {
      recording_ = std::make_unique<Recording>(model, x, steps);
    }
    Recording& r = *recording_;
    const c10::cuda::CUDAGuard device_guard(x.device());
    if (!r.warmed_up) {
      // The warm-up runs on the side stream that will record (CUDA forbids recording on the
      // default stream), so lazy initialisation (cuBLAS's per-stream workspace, autograd's
      // device threads) happens outside the recording. Two host waits, once per shape: the side
      // stream starts after every earlier write and the result is complete when returned.
      r.warmed_up = true;
      r.stream = c10::cuda::getStreamFromPool();
      c10::cuda::getCurrentCUDAStream().synchronize();
      torch::Tensor out;
      {
        const c10::cuda::CUDAStreamGuard stream_guard(*r.stream);
        out = inner_->run(model, x, steps);
      }
      r.stream->synchronize();
      return out;
    }
    if (!r.graph) {
      r.input = x.clone();
      c10::cuda::getCurrentCUDAStream().synchronize();  // the recorded kernels read the chains, the parameters
      auto graph = std::make_unique<at::cuda::CUDAGraph>();
      {
        const c10::cuda::CUDAStreamGuard stream_guard(*r.stream);
        graph->capture_begin();
        try {
          r.output = inner_->run(model, r.input, steps);
        } catch (const std::exception& error) {
          try {
            graph->capture_end();
          } catch (const std::exception&) {  // the capture is invalid already; the first error says why
          }
          throw std::runtime_error("recording " + std::to_string(steps) + " steps of the " + name() +
                                   " sampler as a CUDA graph failed (train.cuda_graphs: off runs them without one): " +
                                   error.what());
        }
        graph->capture_end();
      }
      r.graph = std::move(graph);
      ++captures_;
    }
    r.input.copy_(x);
    r.graph->replay();
    return r.output.clone();  // the next replay overwrites the recorded output
  }
#endif
  return inner_->run(model, x, steps);
}

}  // namespace ebm::samplers
