#include "ebm/grid_quadrature.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ebm {

torch::Tensor grid_points(const QuadratureGrid& grid, torch::TensorOptions options) {
  if (!(grid.hi() > grid.lo()) || grid.resolution() < 1) throw std::invalid_argument("a quadrature grid needs hi > lo and a positive resolution");
  const double h = grid.cell();
  auto axis = torch::linspace(grid.lo() + h / 2, grid.hi() - h / 2, grid.resolution(), options);
  auto mesh = torch::meshgrid({axis, axis}, "ij");
  return torch::stack({mesh[0].reshape(-1), mesh[1].reshape(-1)}, 1);
}

torch::Tensor grid_negative_energies(EnergyModelImpl& model, const QuadratureGrid& grid) {
  if (model.domain() != Domain::Continuous || model.dim() != 2) {
    throw std::invalid_argument("grid quadrature needs a continuous 2-D model, not '" + model.type_name() + "' on " +
                                std::to_string(model.dim()) + " dimensions");
  }
  torch::NoGradGuard no_grad;
  auto device = model.parameters().empty() ? torch::Device(torch::kCPU) : model.parameters()[0].device();
  auto points = grid_points(grid, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  auto dtype = model.parameters().empty() ? torch::kFloat64 : model.parameters()[0].scalar_type();
  // Evaluated in the model's dtype (its weights), accumulated in double.
  return -model.energy(points.to(dtype)).to(torch::kFloat64);
}

double grid_log_partition(EnergyModelImpl& model, const QuadratureGrid& grid) {
  return torch::logsumexp(grid_negative_energies(model, grid), 0).item<double>() + 2 * std::log(grid.cell());
}

torch::Tensor sample_from_grid(EnergyModelImpl& model, const QuadratureGrid& grid, int64_t n) {
  auto probabilities = torch::softmax(grid_negative_energies(model, grid), 0);
  auto cells = torch::multinomial(probabilities, n, /*replacement=*/true);
  auto centres = grid_points(grid, probabilities.options()).index_select(0, cells);
  return centres + (torch::rand({n, 2}, centres.options()) - 0.5) * grid.cell();
}

}  // namespace ebm
