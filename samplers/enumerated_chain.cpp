#include "samplers/enumerated_chain.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/exact_enumeration.h"

namespace ebm::samplers {

namespace {

// log p(s | x) of every binary state s [S, n] given each row's Bernoulli means [N, n]: [N, S].
// Logs of means that are exactly 0 or 1 are clamped so 0 * log 0 stays 0.
torch::Tensor log_bernoulli_table(const torch::Tensor& means, const torch::Tensor& states) {
  auto log_on = means.log().clamp_min(-745), log_off = (-means).log1p().clamp_min(-745);
  return log_on.mm(states.t()) + log_off.mm((1 - states).t());
}

}  // namespace

torch::Tensor gibbs_transition_matrix(LatentVariableModel& model) {
  const int64_t v = model.dim(), h = model.num_hidden();
  if (model.domain() != Domain::Binary || v > kMaxChainVisible || h > kMaxChainHidden) {
    throw std::invalid_argument("the exact Gibbs transition matrix needs a binary model with at most " +
                                std::to_string(kMaxChainVisible) + " visible and " + std::to_string(kMaxChainHidden) +
                                " hidden units, not " + std::to_string(v) + " and " + std::to_string(h));
  }
  torch::NoGradGuard no_grad;
  auto device = model.parameters().empty() ? torch::kCPU : model.parameters()[0].device();
  auto options = torch::TensorOptions().dtype(torch::kFloat64).device(device);
  auto visible = all_binary_states(v, options);
  auto hidden_means = model.hidden_mean(visible);  // [Sv, H]
  auto transition = torch::zeros({visible.size(0), visible.size(0)}, options);
  const int64_t hidden_states = int64_t{1} << h, chunk = int64_t{1} << 12;
  for (int64_t start = 0; start < hidden_states; start += chunk) {
    auto hidden = binary_states(h, start, std::min(hidden_states, start + chunk), options);
    auto h_given_v = log_bernoulli_table(hidden_means, hidden).exp();                   // [Sv, chunk]
    auto v_given_h = log_bernoulli_table(model.visible_mean(hidden), visible).exp();    // [chunk, Sv]
    transition.add_(h_given_v.mm(v_given_h));
  }
  return transition;
}

torch::Tensor advance(const torch::Tensor& q, const torch::Tensor& transition, int64_t k) {
  auto out = q.dim() == 1 ? q.unsqueeze(0) : q;
  for (int64_t i = 0; i < k; ++i) out = out.mm(transition);
  return q.dim() == 1 ? out.squeeze(0) : out;
}

torch::Tensor empirical_distribution(const torch::Tensor& binary_rows) {
  const int64_t states = int64_t{1} << binary_rows.size(1);
  auto counts = torch::bincount(state_indices(binary_rows).cpu(), {}, states).to(torch::kFloat64);
  return counts / static_cast<double>(binary_rows.size(0));
}

double total_variation(const torch::Tensor& p, const torch::Tensor& q) {
  return 0.5 * (p.to(torch::kFloat64).cpu() - q.to(torch::kFloat64).cpu()).abs().sum().item<double>();
}

}  // namespace ebm::samplers
