// A small convolutional energy for images (in the spirit of Du & Mordatch 2019; Nijkamp et al.
// 2019): E(x) = w · mean_pool(f(x)) + b, with f three 3x3 or 4x4 convolutions (stride 1, 2, 2;
// widths c, 2c, 4c) each followed by SiLU. The global pooling makes it accept any image size.
// Inputs are flat rows [B, channels * height * width], as datasets store images.
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "ebm/energy_model.h"

namespace ebm {

struct ConvEnergyOptions {
  ConvEnergyOptions(int64_t channels, int64_t height, int64_t width) : channels_(channels), height_(height), width_(width) {}
  TORCH_ARG(int64_t, channels);
  TORCH_ARG(int64_t, height);
  TORCH_ARG(int64_t, width);
  TORCH_ARG(int64_t, base_channels) = 32;  // c
};

class ConvEnergyImpl : public EnergyModelImpl {
 public:
  explicit ConvEnergyImpl(const ConvEnergyOptions& options);
  torch::Tensor energy(const torch::Tensor& x) override;
  int64_t dim() const override { return options_.channels() * options_.height() * options_.width(); }
  Domain domain() const override { return Domain::Continuous; }
  std::string type_name() const override { return "convnet"; }

 private:
  ConvEnergyOptions options_;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::Linear out{nullptr};
};

TORCH_MODULE(ConvEnergy);

}  // namespace ebm
