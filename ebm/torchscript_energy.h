// An energy written in PyTorch: E(x) = f_θ(x), the `forward` of a scripted or traced
// torch.nn.Module saved with torch.jit.save (or built in C++ with torch::jit), mapping a batch
// [N, D] to N energies. Its parameters and buffers are this model's own (the same tensors, not
// copies), under the names PyTorch gives them ("net.0.weight", held by empty submodules "net" and
// "0"), so optimisers, checkpoints, resume and export see them like any model's. Input gradients,
// and gradients of gradients for score matching, come from autograd through the TorchScript graph.
#pragma once

#include <torch/csrc/jit/api/module.h>

#include <string>

#include "ebm/energy_model.h"

namespace ebm {

struct TorchScriptEnergyOptions {
  TorchScriptEnergyOptions(std::string path, int64_t dim) : path_(std::move(path)), dim_(dim) {}
  TORCH_ARG(std::string, path);
  // The width D of the rows it scores (the data's).
  TORCH_ARG(int64_t, dim);
};

class TorchScriptEnergyImpl : public EnergyModelImpl {
 public:
  // Loads the file and scores one batch of zeros [2, D]: io::InputError naming the file when it
  // is missing, is no TorchScript archive (or one an incompatible PyTorch wrote), has no
  // `forward`, or returns anything but a floating tensor [2].
  explicit TorchScriptEnergyImpl(const TorchScriptEnergyOptions& options);
  torch::Tensor energy(const torch::Tensor& x) override;
  int64_t dim() const override { return options_.dim(); }
  Domain domain() const override { return Domain::Continuous; }
  std::string type_name() const override { return "torchscript"; }
  void train(bool on = true) override;
  const TorchScriptEnergyOptions& options() const { return options_; }


 private:
  TorchScriptEnergyOptions options_;
  torch::jit::Module module_;
  // A parameter (the same tensor, so it follows dtype moves): it computes in its dtype, looked up
  // once here rather than by listing the parameters on every sampler step.
  torch::Tensor dtype_of_;
};

TORCH_MODULE(TorchScriptEnergy);

}  // namespace ebm
