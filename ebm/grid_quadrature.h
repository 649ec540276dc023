// Midpoint-rule quadrature of a 2-D energy on the square [lo, hi]^2 cut into resolution^2 cells:
//   log Z ≈ log Σ_cells exp(-E(c)) + log h²,   h = (hi - lo) / resolution,
// exact as h -> 0 when the density's mass lies inside the square. The same discretisation gives
// exact samples of the gridded density: a cell drawn by its mass, then a uniform point in it.
#pragma once

#include "ebm/energy_model.h"

namespace ebm {

struct QuadratureGrid {
  double cell() const { return (hi_ - lo_) / static_cast<double>(resolution_); }  // h
  TORCH_ARG(double, lo) = -4;
  TORCH_ARG(double, hi) = 4;
  TORCH_ARG(int64_t, resolution) = 200;
};

// Cell centres [resolution^2, 2], first coordinate slowest.
torch::Tensor grid_points(const QuadratureGrid& grid, torch::TensorOptions options = torch::kFloat64);

// -E at every cell centre, evaluated in double on the model's device, without gradient.
torch::Tensor grid_negative_energies(EnergyModelImpl& model, const QuadratureGrid& grid);

// log Z in double; throws std::invalid_argument unless the model is continuous and 2-D.
double grid_log_partition(EnergyModelImpl& model, const QuadratureGrid& grid);

// n draws [n, 2] (double) from the gridded density.
torch::Tensor sample_from_grid(EnergyModelImpl& model, const QuadratureGrid& grid, int64_t n);

}  // namespace ebm
