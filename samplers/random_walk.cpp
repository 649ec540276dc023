#include "samplers/random_walk.h"

#include <stdexcept>

#include "io/interrupt.h"

namespace ebm::samplers {

RandomWalkSampler::RandomWalkSampler(RandomWalkOptions options) : options_(options) {
  if (!(options.proposal_std() > 0)) throw std::invalid_argument("random_walk proposal_std must be positive");
}

torch::Tensor RandomWalkSampler::run(EnergyModelImpl& model, const torch::Tensor& x0, int64_t steps) {
  torch::NoGradGuard no_grad;
  const bool binary = model.domain() == Domain::Binary;
  acceptance_.reset();
  auto x = x0.clone();
  auto energy = model.energy(x);
  auto long_options = torch::TensorOptions().dtype(torch::kLong).device(x.device());
  for (int64_t s = 0; s < steps; ++s) {
    io::interruption_point("sampling");
    torch::Tensor y;
    if (binary) {
      auto unit = torch::randint(x.size(1), {x.size(0), 1}, long_options);
      y = x.clone();
      y.scatter_(1, unit, 1 - x.gather(1, unit));
    } else {
      y = x + options_.proposal_std() * torch::randn_like(x);
    }
    auto energy_y = model.energy(y);
    const auto log_ratio = energy - energy_y;
    auto accept = options_.heat_bath() ? torch::rand_like(log_ratio) < torch::sigmoid(log_ratio) : metropolis_accept(log_ratio);
    x = torch::where(accept.unsqueeze(1), y, x);
    energy = torch::where(accept, energy_y, energy);
    acceptance_.add(accept);
  }
  return x;
}

}  // namespace ebm::samplers
