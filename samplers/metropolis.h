// The Metropolis-Hastings accept step shared by the adjusted kernels (MALA, random-walk MH,
// HMC, the swaps of parallel tempering): accept each proposal with probability
// min(1, exp(log_ratio)), keep the accepted rows of a proposed state, and count acceptances
// for the kernel's reported rate.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

#include "ebm/energy_model.h"

namespace ebm::samplers {

// True where the proposal is accepted, one draw per element of `log_ratio`.
inline torch::Tensor metropolis_accept(const torch::Tensor& log_ratio) {
  return torch::rand_like(log_ratio).log_() < log_ratio;
}

// A batch of chains with the energy and energy gradient at their states, so a kernel evaluates
// each proposal once.
struct ChainState {
  torch::Tensor x, energy, grad;
  static ChainState at(EnergyModelImpl& model, const torch::Tensor& x) {
    return {x, model.energy(x), model.energy_gradient(x)};
  }
  // Rows where `accept` holds take the proposal's state.
  void accept_where(const torch::Tensor& accept, const ChainState& proposal) {
    auto row = accept.unsqueeze(1);
    x = torch::where(row, proposal.x, x);
    grad = torch::where(row, proposal.grad, grad);
    energy = torch::where(accept, proposal.energy, energy);
  }
};

class AcceptanceCounter {
 public:
  void reset() { accepted_ = torch::Tensor(), proposed_ = 0; }
  void add(const torch::Tensor& accepted) {
    auto count = accepted.sum();
    accepted_ = accepted_.defined() ? accepted_ + count : count;
    proposed_ += accepted.numel();
  }
  // {"acceptance_rate": accepted / proposed}, or nothing before any proposal.
  std::map<std::string, torch::Tensor> statistics() const {
    if (proposed_ == 0) return {};
    return {{"acceptance_rate", accepted_.to(torch::kFloat64) / static_cast<double>(proposed_)}};
  }

 private:
  torch::Tensor accepted_;  // on the chains' device: no synchronisation per step
  int64_t proposed_ = 0;
};

}  // namespace ebm::samplers
