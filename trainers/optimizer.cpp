#include "trainers/optimizer.h"

namespace ebm::trainers {

namespace {

// Two groups: the matrices with `weight_decay`, the vectors without.
template <class Optimizer, class Options>
std::unique_ptr<torch::optim::Optimizer> with_decayed_matrices(const std::vector<torch::Tensor>& parameters,
                                                               const Options& base, double weight_decay) {
  std::vector<torch::Tensor> matrices, vectors;
  for (const auto& p : parameters) (p.dim() >= 2 ? matrices : vectors).push_back(p);
  auto decayed = base;
  decayed.weight_decay(weight_decay);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!matrices.empty()) groups.emplace_back(matrices, std::make_unique<Options>(decayed));
  if (!vectors.empty()) groups.emplace_back(vectors, std::make_unique<Options>(base));
  return std::make_unique<Optimizer>(groups, base);
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_sgd(const std::vector<torch::Tensor>& parameters,
                                                  const torch::optim::SGDOptions& options, double weight_decay) {
  return with_decayed_matrices<torch::optim::SGD>(parameters, options, weight_decay);
}

std::unique_ptr<torch::optim::Optimizer> make_adam(const std::vector<torch::Tensor>& parameters,
                                                   const torch::optim::AdamOptions& options, double weight_decay) {
  return with_decayed_matrices<torch::optim::Adam>(parameters, options, weight_decay);
}

}  // namespace ebm::trainers
