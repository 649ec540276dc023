// Two-dimensional synthetic datasets, drawn from the global generator (so the config's seed
// fixes them), the usual testbeds for EBMs and flows (Grathwohl et al. 2019, FFJORD):
//   eight_gaussians  8 isotropic Gaussians, std 0.2, centres on a circle of radius 2;
//   grid_25          25 isotropic Gaussians, std 0.1, centres on {-2, -1, 0, 1, 2}^2;
//   two_moons        two interleaved half circles of radius 1, Gaussian noise 0.1;
//   rings            three concentric circles of radii 0.75, 1.5, 2.25, radial noise 0.08;
//   checkerboard     uniform on the dark squares of a 4x4 board on [-2, 2]^2;
//   swiss_roll       (t cos t, t sin t) / 5 for t uniform on [1.5π, 4.5π], noise 0.1 (scaled);
//   pinwheel         5 arms, each a Gaussian (radial 0.3, tangential 0.05) bent by its radius.
// The two mixtures know their density exactly; evaluators use it as ground truth.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace ebm::datasets {

const std::vector<std::string>& toy_2d_names();

// n points [n, 2] of the named dataset (float64).
torch::Tensor sample_toy_2d(const std::string& name, int64_t n);

// A training set of `train` rows with `held_out` further rows.
Dataset toy_2d(const std::string& name, int64_t train, int64_t held_out);

// The exact density of the mixture datasets: equal weights, isotropic components.
struct IsotropicMixture {
  torch::Tensor weights;  // [K]
  torch::Tensor means;    // [K, 2]
  double std = 0;
};
std::optional<IsotropicMixture> toy_2d_mixture(const std::string& name);

}  // namespace ebm::datasets
