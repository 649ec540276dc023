#include "trainers/optimizer.h"

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <stdexcept>

namespace ebm::trainers {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(
    const std::vector<torch::Tensor>& parameters, const OptimizerOptions& options) {
  std::vector<torch::Tensor> matrices, vectors;
  for (const auto& p : parameters) (p.dim() >= 2 ? matrices : vectors).push_back(p);
  auto groups = [&](auto decayed, auto plain) {
    std::vector<torch::optim::OptimizerParamGroup> result;
    using Options = decltype(decayed);
    if (!matrices.empty()) result.emplace_back(matrices, std::make_unique<Options>(decayed));
    if (!vectors.empty()) result.emplace_back(vectors, std::make_unique<Options>(plain));
    return result;
  };
  if (options.type() == "sgd") {
    auto base = torch::optim::SGDOptions(options.lr())
                    .momentum(options.momentum())
                    .nesterov(options.nesterov());
    auto decayed = base;
    decayed.weight_decay(options.weight_decay());
    return std::make_unique<torch::optim::SGD>(groups(decayed, base), base);
  }
  if (options.type() == "adam") {
    auto base = torch::optim::AdamOptions(options.lr())
                    .betas({options.beta1(), options.beta2()})
                    .eps(options.eps());
    auto decayed = base;
    decayed.weight_decay(options.weight_decay());
    return std::make_unique<torch::optim::Adam>(groups(decayed, base), base);
  }
  throw std::invalid_argument("unknown optimiser '" + options.type() + "'");
}

}  // namespace ebm::trainers
