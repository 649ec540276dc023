#include "ebm/lattice_ising.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace ebm {

LatticeIsing::LatticeIsing(LatticeIsingOptions options) : options_(std::move(options)), sites_(1) {
  if (options_.sides().empty()) throw std::invalid_argument("a lattice needs at least one side");
  for (const int64_t side : options_.sides()) {
    if (side < 2) throw std::invalid_argument("a periodic lattice's sides are at least 2, not " + std::to_string(side));
    sites_ *= side;
  }
}

bool LatticeIsing::bipartite() const {
  for (const int64_t side : options_.sides()) {
    if (side % 2 != 0) return false;
  }
  return true;
}

void LatticeIsing::check_states(const torch::Tensor& spins, const std::string& sampler) const {
  bool fits = spins.scalar_type() == torch::kInt8 && spins.dim() == dims() + 1 && spins.is_contiguous();
  for (int64_t a = 0; fits && a < dims(); ++a) fits = spins.size(a + 1) == options_.sides()[a];
  if (!fits) throw std::invalid_argument(sampler + " works on contiguous int8 spins [chains, sides...] of the lattice's sides");
}

torch::Tensor LatticeIsing::energy(const torch::Tensor& spins) const {
  TORCH_CHECK(spins.dim() == dims() + 1, "lattice states are [chains, sides...]");
  const auto s = spins.to(torch::kFloat64);
  auto neighbours = torch::zeros_like(s);
  for (int64_t axis = 1; axis <= dims(); ++axis) neighbours += torch::roll(s, 1, axis) + torch::roll(s, -1, axis);
  const auto flat = s.flatten(1);
  return -0.5 * options_.coupling() * (flat * neighbours.flatten(1)).sum(1) - options_.field() * flat.sum(1);
}

torch::Tensor LatticeIsing::magnetisation(const torch::Tensor& spins) {
  return spins.flatten(1).to(torch::kFloat64).mean(1);
}

torch::Tensor LatticeIsing::all_states() const {
  if (sites_ > 24) throw std::invalid_argument("enumerating a lattice of " + std::to_string(sites_) + " sites (at most 24)");
  const auto codes = torch::arange(int64_t{1} << sites_, torch::kLong).unsqueeze(1);
  const auto bits = torch::bitwise_and(torch::bitwise_right_shift(codes, torch::arange(sites_, torch::kLong)), 1);
  std::vector<int64_t> shape = {int64_t{1} << sites_};
  shape.insert(shape.end(), options_.sides().begin(), options_.sides().end());
  return (bits * 2 - 1).to(torch::kInt8).view(shape);
}

torch::Tensor LatticeIsing::random_states(int64_t chains) const {
  std::vector<int64_t> shape = {chains};
  shape.insert(shape.end(), options_.sides().begin(), options_.sides().end());
  return (torch::randint(2, shape, torch::kInt8) * 2 - 1).to(torch::kInt8);
}

double onsager_critical_beta() { return std::log(1.0 + std::sqrt(2.0)) / 2.0; }

double onsager_magnetisation(double beta) {
  if (beta <= onsager_critical_beta()) return 0.0;
  return std::pow(1.0 - std::pow(std::sinh(2.0 * beta), -4.0), 0.125);
}

}  // namespace ebm
