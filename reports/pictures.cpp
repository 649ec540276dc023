#include "reports/pictures.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace ebm::reports {

namespace {

// A perceptually ordered dark-to-bright map (black, purple, orange, pale yellow).
Color heat(double t) {
  static const std::array<std::array<double, 3>, 5> anchors = {
      {{0, 0, 4}, {80, 18, 123}, {183, 55, 121}, {252, 137, 97}, {252, 253, 191}}};
  t = std::clamp(t, 0.0, 1.0) * (anchors.size() - 1);
  const size_t i = std::min(static_cast<size_t>(t), anchors.size() - 2);
  const double f = t - static_cast<double>(i);
  auto mix = [&](int c) { return static_cast<uint8_t>(std::lround(anchors[i][c] * (1 - f) + anchors[i + 1][c] * f)); };
  return {mix(0), mix(1), mix(2)};
}

}  // namespace

Image density_picture(EnergyModelImpl& model, const QuadratureGrid& grid, const torch::Tensor& points,
                      const std::string& title, int size) {
  const int header = 24;
  Image image(size, size + header, {255, 255, 255});
  image.text(6, 7, title, {40, 40, 40});
  // The density on its own grid, drawn with nearest-cell lookup at the picture's resolution.
  auto picture_grid = QuadratureGrid().lo(grid.lo()).hi(grid.hi()).resolution(size);
  auto density = torch::softmax(grid_negative_energies(model, picture_grid), 0).reshape({size, size});
  auto scaled = torch::sqrt(density / density.max()).cpu();
  auto values = scaled.accessor<double, 2>();
  // Row i of the grid is the first coordinate (x, left to right); column j is y, drawn upwards.
  for (int i = 0; i < size; ++i) {
    for (int j = 0; j < size; ++j) image.set(i, header + size - 1 - j, heat(values[i][j]));
  }
  if (points.defined()) {
    auto p = points.to(torch::kFloat64).cpu();
    auto xy = p.accessor<double, 2>();
    const double scale = size / (grid.hi() - grid.lo());
    for (int64_t n = 0; n < p.size(0); ++n) {
      const int x = static_cast<int>(std::lround((xy[n][0] - grid.lo()) * scale));
      const int y = header + size - 1 - static_cast<int>(std::lround((xy[n][1] - grid.lo()) * scale));
      image.fill_rect(x - 1, y - 1, x + 1, y + 1, {255, 255, 255});
    }
  }
  return image;
}

Image image_grid(const torch::Tensor& samples, int64_t height, int64_t width, int64_t columns, int scale) {
  const int64_t n = samples.size(0), rows = (n + columns - 1) / columns, gap = 2;
  Image image(static_cast<int>(columns * (width * scale + gap) + gap), static_cast<int>(rows * (height * scale + gap) + gap),
              {128, 128, 128});
  auto pixels = samples.to(torch::kFloat64).clamp(0, 1).cpu().reshape({n, height, width});
  auto a = pixels.accessor<double, 3>();
  for (int64_t k = 0; k < n; ++k) {
    const int64_t x0 = gap + (k % columns) * (width * scale + gap), y0 = gap + (k / columns) * (height * scale + gap);
    for (int64_t i = 0; i < height; ++i) {
      for (int64_t j = 0; j < width; ++j) {
        const auto v = static_cast<uint8_t>(std::lround(255 * a[k][i][j]));
        image.fill_rect(static_cast<int>(x0 + j * scale), static_cast<int>(y0 + i * scale),
                        static_cast<int>(x0 + (j + 1) * scale - 1), static_cast<int>(y0 + (i + 1) * scale - 1), {v, v, v});
      }
    }
  }
  return image;
}

Image filter_grid(const torch::Tensor& weight, int64_t height, int64_t width, int64_t count, int64_t columns, int scale) {
  const auto w = weight.detach().to(torch::kFloat64).cpu().t().slice(0, 0, std::min(count, weight.size(1)));
  const auto lo = std::get<0>(w.min(1, true)), hi = std::get<0>(w.max(1, true));
  return image_grid((w - lo) / (hi - lo + 1e-12), height, width, columns, scale);
}

}  // namespace ebm::reports
