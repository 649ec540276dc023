#include "samplers/colour_gibbs.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/graph_colouring.h"

namespace ebm::samplers {

void ColourGibbsSampler::check_model(const EnergyModelImpl& model) const {
  if (!model.interaction_graph()) {
    throw std::invalid_argument("colour_gibbs needs a pairwise model on a graph (model.type: ising), not '" + model.type_name() + "'");
  }
}

torch::Tensor ColourGibbsSampler::run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) {
  check_model(model);
  const auto edges = *model.interaction_graph();
  if (!edges_.defined() || !edges_.is_same(edges)) {
    edges_ = edges, colours_ = greedy_colouring(edges, model.dim());
    colour_count_ = colours_.numel() == 0 ? 0 : colours_.max().item<int64_t>() + 1;
  }
  torch::NoGradGuard no_grad;
  const auto colours = colours_.to(x.device());
  auto state = x.detach().clone();
  for (int64_t step = 0; step < steps; ++step) {
    for (int64_t c = 0; c < colour_count_; ++c) {
      const auto draw = torch::bernoulli(torch::sigmoid(-model.energy_gradient(state)));
      state = torch::where(colours == c, draw, state);
    }
  }
  statistics_ = {{"colours", torch::tensor(static_cast<double>(colour_count_), torch::TensorOptions().dtype(torch::kFloat64).device(x.device()))}};
  return state;
}

}  // namespace ebm::samplers
