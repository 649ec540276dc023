#include "samplers/hmc.h"

#include <stdexcept>

#include "io/interrupt.h"

namespace ebm::samplers {

HMCSampler::HMCSampler(HMCOptions options) : options_(options) {
  if (!(options.step_size() > 0)) throw std::invalid_argument("hmc step_size must be positive");
  if (options.leapfrog_steps() < 1) throw std::invalid_argument("hmc needs at least one leapfrog step");
}

torch::Tensor HMCSampler::run(EnergyModelImpl& model, const torch::Tensor& x0, int64_t steps) {
  torch::NoGradGuard no_grad;
  const double eps = options_.step_size();
  acceptance_.reset();
  auto current = ChainState::at(model, x0.clone());
  for (int64_t s = 0; s < steps; ++s) {
    io::interruption_point("sampling");
    auto p = torch::randn_like(current.x);
    const auto start_h = current.energy + 0.5 * p.pow(2).sum(1);
    auto y = current.x.clone();
    auto grad_y = current.grad.clone();
    p.sub_(grad_y, 0.5 * eps);
    for (int64_t l = 0; l < options_.leapfrog_steps(); ++l) {
      y.add_(p, eps);
      grad_y = model.energy_gradient(y);
      p.sub_(grad_y, l + 1 < options_.leapfrog_steps() ? eps : 0.5 * eps);
    }
    const ChainState proposal{y, model.energy(y), grad_y};
    // A diverged trajectory (NaN energy) compares false and is rejected.
    auto accept = metropolis_accept(start_h - (proposal.energy + 0.5 * p.pow(2).sum(1)));
    current.accept_where(accept, proposal);
    acceptance_.add(accept);
  }
  return current.x;
}

}  // namespace ebm::samplers
