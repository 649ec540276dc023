#include "ebm/conv_energy.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm {

ConvEnergyImpl::ConvEnergyImpl(const ConvEnergyOptions& options) : options_(options) {
  if (options.channels() < 1 || options.height() < 4 || options.width() < 4 || options.base_channels() < 1) {
    throw std::invalid_argument("a convnet energy needs at least one channel, images of at least 4x4 and positive widths");
  }
  const int64_t c = options.base_channels();
  using torch::nn::Conv2dOptions;
  conv1 = register_module("conv1", torch::nn::Conv2d(Conv2dOptions(options.channels(), c, 3).stride(1).padding(1)));
  conv2 = register_module("conv2", torch::nn::Conv2d(Conv2dOptions(c, 2 * c, 4).stride(2).padding(1)));
  conv3 = register_module("conv3", torch::nn::Conv2d(Conv2dOptions(2 * c, 4 * c, 4).stride(2).padding(1)));
  out = register_module("out", torch::nn::Linear(4 * c, 1));
}

torch::Tensor ConvEnergyImpl::energy(const torch::Tensor& x) {
  auto h = x.to(out->weight.dtype()).view({x.size(0), options_.channels(), options_.height(), options_.width()});
  h = torch::silu(conv1->forward(h));
  h = torch::silu(conv2->forward(h));
  h = torch::silu(conv3->forward(h));
  return out->forward(h.mean({2, 3})).squeeze(1);
}

}  // namespace ebm
