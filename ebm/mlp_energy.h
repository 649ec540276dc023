// A neural energy E(x) = f_θ(x): a multilayer perceptron with a scalar output (as in Du &
// Mordatch 2019; Nijkamp et al. 2019 for low-dimensional data). Optional spectral normalisation
// divides every weight by its largest singular value, estimated by one power iteration per
// training call (Miyato et al. 2018), which bounds the network's Lipschitz constant.
// energy_gradient is the backward pass written out,
//   g_L = w_out,  g_{l-1} = (g_l ⊙ φ'(a_l)) W_l,  ∇x E = g_0,
// which avoids building an autograd graph on every sampler step.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "ebm/energy_model.h"

namespace ebm {

struct MLPEnergyOptions {
  MLPEnergyOptions(int64_t dim, std::vector<int64_t> widths) : dim_(dim), widths_(std::move(widths)) {}
  TORCH_ARG(int64_t, dim);
  // Hidden layer widths; the output layer (width 1) is added.
  TORCH_ARG(std::vector<int64_t>, widths);
  // silu | relu | leaky_relu (slope 0.2) | elu | tanh
  TORCH_ARG(std::string, activation) = "silu";
  TORCH_ARG(bool, spectral_norm) = false;
  // The support of x: Binary on {0,1}^D data (samplers that flip units, such as Gibbs-with-Gradients).
  TORCH_ARG(Domain, domain) = Domain::Continuous;
};

class MLPEnergyImpl : public EnergyModelImpl {
 public:
  explicit MLPEnergyImpl(const MLPEnergyOptions& options);
  torch::Tensor energy(const torch::Tensor& x) override;
  torch::Tensor energy_gradient(const torch::Tensor& x) override;
  int64_t dim() const override { return options_.dim(); }
  Domain domain() const override { return options_.domain(); }
  std::string type_name() const override { return "mlp"; }
  const MLPEnergyOptions& options() const { return options_; }

  static const std::vector<std::string>& activations();

 private:
  // The weights in use: spectrally normalised when asked (updating the power-iteration vectors
  // only in training mode while gradients are recorded: the loss, not sampling or evaluation),
  // else the raw weights.
  std::vector<torch::Tensor> effective_weights();
  MLPEnergyOptions options_;
  std::vector<torch::nn::Linear> layers_;
  std::vector<torch::Tensor> singular_vectors_;  // u of each layer, when spectrally normalised
};

TORCH_MODULE(MLPEnergy);

}  // namespace ebm
