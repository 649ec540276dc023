// Optimiser construction. SGD with momentum (Polyak 1964) and Adam (Kingma & Ba 2015).
// Weight decay adds lambda * θ to the gradient of matrices only (dim >= 2), never to biases,
// as is usual for RBMs (Hinton 2010, section 10).
#pragma once

#include <torch/optim/optimizer.h>

#include <memory>
#include <string>

namespace ebm::trainers {

struct OptimizerOptions {
  TORCH_ARG(std::string, type) = "sgd";  // sgd | adam
  TORCH_ARG(double, lr) = 0.01;
  TORCH_ARG(double, momentum) = 0.0;      // sgd
  TORCH_ARG(bool, nesterov) = false;      // sgd
  TORCH_ARG(double, weight_decay) = 0.0;
  TORCH_ARG(double, beta1) = 0.9;         // adam
  TORCH_ARG(double, beta2) = 0.999;       // adam
  TORCH_ARG(double, eps) = 1e-8;          // adam
};

std::unique_ptr<torch::optim::Optimizer> make_optimizer(
    const std::vector<torch::Tensor>& parameters, const OptimizerOptions& options);

}  // namespace ebm::trainers
