// Line charts for the pictures runs and tools write (trace plots, bias against k): axes with
// "nice" ticks (1, 2, 5 times a power of ten), optional log-scaled x, error bars, a legend.
#pragma once

#include <string>
#include <vector>

#include "reports/png.h"

namespace ebm::reports {

struct Series {
  std::string label;  // empty: left out of the legend
  std::vector<double> x, y;
  std::vector<double> error;  // optional half-heights of error bars, one per point
  Color color;
  bool markers = false;
  // Drawn as a dashed line at y[0] across the whole chart (a reference value).
  bool horizontal = false;
};

struct ChartOptions {
  std::string title, x_label, y_label;
  // The size without the legend, which adds rows below the axes.
  int width = 720, height = 360;
  bool log_x = false;
};

Image render_chart(const ChartOptions& options, const std::vector<Series>& series);

// Images one above the other, left-aligned, on white.
Image stack_vertically(const std::vector<Image>& images);

}  // namespace ebm::reports
