#include "samplers/gibbs_with_gradients.h"

#include <limits>
#include <stdexcept>

#include "io/interrupt.h"

namespace ebm::samplers {

namespace {

// log q(. | x): the log-softmax of d(x) / 2 over the moves, [B, D] (binary) or [B, D K] (one-hot,
// the current categories excluded).
torch::Tensor log_proposal(const ChainState& s, int64_t categories) {
  if (categories == 0) return torch::log_softmax((2 * s.x - 1) * s.grad / 2, 1);
  const auto x = s.x.view({s.x.size(0), -1, categories}), g = s.grad.view_as(x);
  const auto here = (x * g).sum(2, true);  // dE/dx at each variable's current category
  auto d = ((here - g) / 2).masked_fill(x > 0.5, -std::numeric_limits<double>::infinity());
  return torch::log_softmax(d.flatten(1), 1);
}

}  // namespace

GibbsWithGradientsSampler::GibbsWithGradientsSampler(GibbsWithGradientsOptions options) : options_(options) {
  if (options.categories() == 1 || options.categories() < 0) {
    throw std::invalid_argument("gibbs_with_gradients categories is 0 (binary units) or at least 2");
  }
}

void GibbsWithGradientsSampler::check_model(const EnergyModelImpl& model) const {
  const int64_t k = options_.categories();
  if (k > 0 && model.dim() % k != 0) {
    throw std::invalid_argument("categories " + std::to_string(k) + " does not divide the data's " + std::to_string(model.dim()) +
                                " columns into one-hot groups");
  }
}

torch::Tensor GibbsWithGradientsSampler::run(EnergyModelImpl& model, const torch::Tensor& x0, int64_t steps) {
  const int64_t k = options_.categories();
  if (k > 0 && (x0.size(1) % k != 0 || !x0.view({x0.size(0), -1, k}).sum(2).eq(1).all().item<bool>())) {
    throw std::invalid_argument("gibbs_with_gradients: rows are not one-hot groups of " + std::to_string(k) + " columns");
  }
  torch::NoGradGuard no_grad;  // energy_gradient turns autograd on for itself
  acceptance_.reset();
  auto state = ChainState::at(model, x0.detach());
  auto log_q = log_proposal(state, k);
  for (int64_t s = 0; s < steps; ++s) {
    io::interruption_point("sampling");
    // The move by Gumbel-max: argmax of log q + Gumbel noise.
    const auto gumbel = -torch::log(-torch::log(torch::rand_like(log_q).clamp_min(1e-30)));
    const auto move = (log_q + gumbel).argmax(1, true);  // [B, 1]
    torch::Tensor y, back;
    if (k == 0) {
      y = state.x.clone();
      y.scatter_(1, move, 1 - state.x.gather(1, move));
      back = move;
    } else {
      const auto variable = torch::div(move, k, "floor");
      const auto columns = variable * k + torch::arange(k, move.options()).unsqueeze(0);  // [B, K]
      back = variable * k + state.x.gather(1, columns).argmax(1, true);                     // the category left
      y = state.x.clone();
      y.scatter_(1, columns, torch::zeros_like(columns, state.x.options()));
      y.scatter_(1, move, 1.0);
    }
    const auto proposal = ChainState::at(model, y);
    const auto log_q_y = log_proposal(proposal, k);
    const auto log_ratio = (state.energy - proposal.energy + log_q_y.gather(1, back).squeeze(1) - log_q.gather(1, move).squeeze(1));
    const auto accept = metropolis_accept(log_ratio);
    state.accept_where(accept, proposal);
    log_q = torch::where(accept.unsqueeze(1), log_q_y, log_q);
    acceptance_.add(accept);
  }
  return state.x;
}

}  // namespace ebm::samplers
