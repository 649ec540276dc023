#include "samplers/colour_gibbs.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/graph_colouring.h"

namespace ebm::samplers {

void ColourGibbsSampler::check_model(const EnergyModelImpl& model) const {
  if (!model.interaction_graph() || !model.unit_states()) {
    throw std::invalid_argument("colour_gibbs needs a pairwise model on a graph (model.type: ising or pairwise), not '" + model.type_name() + "'");
  }
}

torch::Tensor ColourGibbsSampler::run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) {
  check_model(model);
  const auto edges = *model.interaction_graph();
  const auto unit = model.unit_states()->to(x.options());  // [S, c]
  const int64_t s = unit.size(0), c = unit.size(1), b = x.size(0), units = x.size(1) / c;
  if (!edges_.defined() || !edges_.is_same(edges)) {
    edges_ = edges, colours_ = greedy_colouring(edges, units);
    colour_count_ = colours_.numel() == 0 ? 0 : colours_.max().item<int64_t>() + 1;
  }
  torch::NoGradGuard no_grad;
  const auto colours = colours_.to(x.device()).view({1, units, 1});
  auto state = x.detach().reshape({b, units, c}).clone();
  for (int64_t step = 0; step < steps; ++step) {
    for (int64_t colour = 0; colour < colour_count_; ++colour) {
      // -(E(x_i = s) - E(x)) up to a constant per unit: -dE/dx_i . s, [B, units, S].
      const auto logits = -model.energy_gradient(state.view({b, -1})).view({b, units, c}).matmul(unit.t());
      const auto drawn = torch::multinomial(torch::softmax(logits, -1).view({b * units, s}), 1).view({b * units});
      state = torch::where(colours == colour, unit.index_select(0, drawn).view({b, units, c}), state);
    }
  }
  statistics_ = {{"colours", torch::tensor(static_cast<double>(colour_count_), torch::TensorOptions().dtype(torch::kFloat64).device(x.device()))}};
  return state.view({b, -1});
}

}  // namespace ebm::samplers
