// Optimiser construction. SGD with momentum (Polyak 1964) and Adam (Kingma & Ba 2015).
// Weight decay adds lambda * θ to the gradient of matrices only (dim >= 2), never to biases,
// as is usual for RBMs (Hinton 2010, section 10).
#pragma once

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <memory>
#include <vector>

namespace ebm::trainers {

std::unique_ptr<torch::optim::Optimizer> make_sgd(const std::vector<torch::Tensor>& parameters,
                                                  const torch::optim::SGDOptions& options, double weight_decay);
std::unique_ptr<torch::optim::Optimizer> make_adam(const std::vector<torch::Tensor>& parameters,
                                                   const torch::optim::AdamOptions& options, double weight_decay);

}  // namespace ebm::trainers
