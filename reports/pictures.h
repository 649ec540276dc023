// The pictures runs and `ebm sample` write:
//   2-D models: the model density exp(-E) / Z on the evaluation grid as a heatmap (brighter =
//   more probable, on a square-root scale so low-density structure stays visible), with points
//   (model samples, white) drawn over it;
//   image data: samples tiled as a grid of grey-scale images;
//   RBM filters: each hidden unit's weights [V] as an image, scaled to [0, 1] unit by unit.
#pragma once

#include <torch/types.h>

#include "ebm/energy_model.h"
#include "ebm/grid_quadrature.h"
#include "reports/png.h"

namespace ebm::reports {

// `points` [N, 2] (may be undefined) are drawn over the density; `title` above it.
Image density_picture(EnergyModelImpl& model, const QuadratureGrid& grid, const torch::Tensor& points,
                      const std::string& title, int size = 480);

// `samples` [N, height * width] with values in [0, 1], tiled in rows of `columns`.
Image image_grid(const torch::Tensor& samples, int64_t height, int64_t width, int64_t columns = 10, int scale = 3);

// The first `count` columns of `weight` [height * width, H] as images, each unit's weights
// mapped from their own minimum and maximum to black and white.
Image filter_grid(const torch::Tensor& weight, int64_t height, int64_t width, int64_t count, int64_t columns, int scale);

}  // namespace ebm::reports
