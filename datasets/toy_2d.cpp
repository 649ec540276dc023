#include "datasets/toy_2d.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ebm::datasets {

namespace {

constexpr double kPi = 3.14159265358979323846;
const auto kF64 = torch::kFloat64;

torch::Tensor sample_mixture(const IsotropicMixture& m, int64_t n) {
  auto component = torch::multinomial(m.weights, n, /*replacement=*/true);
  return m.means.index_select(0, component) + m.std * torch::randn({n, 2}, kF64);
}

torch::Tensor from_polar(const torch::Tensor& radius, const torch::Tensor& angle) {
  return torch::stack({radius * torch::cos(angle), radius * torch::sin(angle)}, 1);
}

}  // namespace

const std::vector<std::string>& toy_2d_names() {
  static const std::vector<std::string> names = {"eight_gaussians", "grid_25", "two_moons", "rings",
                                                 "checkerboard", "swiss_roll", "pinwheel"};
  return names;
}

std::optional<IsotropicMixture> toy_2d_mixture(const std::string& name) {
  if (name == "eight_gaussians") {
    auto angle = torch::arange(8, kF64) * (2 * kPi / 8);
    return IsotropicMixture{torch::full({8}, 1.0 / 8, kF64), from_polar(torch::full({8}, 2.0, kF64), angle), 0.2};
  }
  if (name == "grid_25") {
    auto axis = torch::arange(-2, 3, kF64);
    auto mesh = torch::meshgrid({axis, axis}, "ij");
    return IsotropicMixture{torch::full({25}, 1.0 / 25, kF64),
                            torch::stack({mesh[0].reshape(-1), mesh[1].reshape(-1)}, 1), 0.1};
  }
  return std::nullopt;
}

torch::Tensor sample_toy_2d(const std::string& name, int64_t n) {
  if (n < 1) throw std::invalid_argument("a dataset needs at least one point");
  if (auto mixture = toy_2d_mixture(name)) return sample_mixture(*mixture, n);
  if (name == "two_moons") {
    auto t = torch::rand({n}, kF64) * kPi;
    auto upper = torch::rand({n}, kF64) < 0.5;
    auto x = torch::where(upper, torch::cos(t), 1 - torch::cos(t));
    auto y = torch::where(upper, torch::sin(t), 0.5 - torch::sin(t));
    // Centred on the origin.
    return torch::stack({x - 0.5, y - 0.25}, 1) + 0.1 * torch::randn({n, 2}, kF64);
  }
  if (name == "rings") {
    auto ring = torch::randint(0, 3, {n}, torch::kLong).to(kF64);
    auto radius = 0.75 * (ring + 1) + 0.08 * torch::randn({n}, kF64);
    return from_polar(radius, torch::rand({n}, kF64) * (2 * kPi));
  }
  if (name == "checkerboard") {
    // x uniform on [-2, 2]; y on one of the two unit squares of its column that are dark.
    auto x = torch::rand({n}, kF64) * 4 - 2;
    auto column_parity = torch::remainder(torch::floor(x), 2);
    auto y = torch::rand({n}, kF64) - 2 * torch::randint(0, 2, {n}, torch::kLong).to(kF64) + column_parity;
    return torch::stack({x, y}, 1);
  }
  if (name == "swiss_roll") {
    auto t = 1.5 * kPi * (1 + 2 * torch::rand({n}, kF64));
    return torch::stack({t * torch::cos(t), t * torch::sin(t)}, 1) / 5 + 0.1 * torch::randn({n, 2}, kF64);
  }
  if (name == "pinwheel") {
    const int64_t arms = 5;
    auto arm = torch::randint(0, arms, {n}, torch::kLong).to(kF64);
    auto radial = torch::randn({n}, kF64) * 0.3 + 1;
    auto tangential = torch::randn({n}, kF64) * 0.05;
    // Each arm is rotated to its place and bent: points further out turn further.
    auto angle = arm * (2 * kPi / arms) + 0.25 * torch::exp(radial);
    auto c = torch::cos(angle), s = torch::sin(angle);
    return 1.5 * torch::stack({radial * c - tangential * s, radial * s + tangential * c}, 1);
  }
  throw std::invalid_argument("unknown 2-D dataset '" + name + "'");
}

Dataset toy_2d(const std::string& name, int64_t train, int64_t held_out) {
  auto points = sample_toy_2d(name, train + held_out);
  return Dataset(points.slice(0, 0, train), name, held_out > 0 ? points.slice(0, train) : torch::Tensor());
}

}  // namespace ebm::datasets
