#include "samplers/langevin.h"

#include <cmath>
#include <stdexcept>

#include "io/interrupt.h"

namespace ebm::samplers {

LangevinSampler::LangevinSampler(LangevinOptions options) : options_(options) {
  if (!(options.step_size() > 0)) throw std::invalid_argument("langevin step_size must be positive");
  if (options.noise_scale() < 0) options_.noise_scale(std::sqrt(options.step_size()));
}

torch::Tensor LangevinSampler::run(EnergyModelImpl& model, const torch::Tensor& x0, int64_t steps) {
  torch::NoGradGuard no_grad;
  const double half_step = 0.5 * options_.step_size(), clip = options_.grad_clip();
  auto x = x0.clone();
  for (int64_t s = 0; s < steps; ++s) {
    io::interruption_point("sampling");
    auto g = model.energy_gradient(x);
    if (clip > 0) g.clamp_(-clip, clip);
    x.add_(g, -half_step).add_(torch::randn_like(x), options_.noise_scale());
  }
  return x;
}

MALASampler::MALASampler(MALAOptions options) : options_(options) {
  if (!(options.step_size() > 0)) throw std::invalid_argument("mala step_size must be positive");
}

torch::Tensor MALASampler::run(EnergyModelImpl& model, const torch::Tensor& x0, int64_t steps) {
  torch::NoGradGuard no_grad;
  const double eps = options_.step_size();
  // log q(to | from) up to a constant, with g = ∇E(from).
  auto log_q = [&](const torch::Tensor& to, const torch::Tensor& from, const torch::Tensor& g) {
    return -(to - from + 0.5 * eps * g).pow(2).sum(1) / (2 * eps);
  };
  acceptance_.reset();
  auto current = ChainState::at(model, x0.clone());
  for (int64_t s = 0; s < steps; ++s) {
    io::interruption_point("sampling");
    auto proposal = ChainState::at(model, current.x - 0.5 * eps * current.grad + std::sqrt(eps) * torch::randn_like(current.x));
    auto accept = metropolis_accept(current.energy - proposal.energy + log_q(current.x, proposal.x, proposal.grad) -
                                    log_q(proposal.x, current.x, current.grad));
    current.accept_where(accept, proposal);
    acceptance_.add(accept);
  }
  return current.x;
}

}  // namespace ebm::samplers
