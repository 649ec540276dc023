#include "reports/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ebm::reports {

namespace {

const Color kInk{40, 40, 40}, kGrid{225, 225, 225};

std::string format_tick(double v) {
  if (std::abs(v) < 1e-12) return "0";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

// Ticks at multiples of 1, 2 or 5 times a power of ten, about `target` of them over [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 5) {
  const double raw = (hi - lo) / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

}  // namespace

Image render_chart(const ChartOptions& options, const std::vector<Series>& series) {
  // The legend goes below the axes, in rows as wide as the chart, so it never hides data.
  const int left = 70, right = 16, row_h = Image::text_height() + 6;
  std::vector<std::vector<const Series*>> legend_rows(1);
  int row_width = 0;
  for (const auto& s : series) {
    if (s.label.empty()) continue;
    const int w = 30 + Image::text_width(s.label);
    if (row_width > 0 && row_width + w > options.width - left - right) legend_rows.emplace_back(), row_width = 0;
    legend_rows.back().push_back(&s);
    row_width += w;
  }
  const int legend_h = legend_rows.front().empty() ? 0 : static_cast<int>(legend_rows.size()) * row_h + 4;
  const int top = 12 + (options.title.empty() ? 0 : row_h) + (options.y_label.empty() ? 0 : row_h);
  const int bottom = (options.x_label.empty() ? 30 : 46) + legend_h;
  Image image(options.width, options.height + legend_h);
  const int plot_w = options.width - left - right, plot_h = options.height + legend_h - top - bottom;

  auto tx = [&](double x) { return options.log_x ? std::log10(x) : x; };
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const auto& s : series) {
    for (size_t i = 0; i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      const double e = i < s.error.size() && std::isfinite(s.error[i]) ? s.error[i] : 0.0;
      y_lo = std::min(y_lo, s.y[i] - e);
      y_hi = std::max(y_hi, s.y[i] + e);
      if (!s.horizontal && i < s.x.size() && std::isfinite(tx(s.x[i]))) {
        x_lo = std::min(x_lo, tx(s.x[i]));
        x_hi = std::max(x_hi, tx(s.x[i]));
      }
    }
  }
  if (!std::isfinite(x_lo)) x_lo = 0, x_hi = 1;
  if (!std::isfinite(y_lo)) y_lo = 0, y_hi = 1;
  if (x_hi - x_lo < 1e-12) x_lo -= 0.5, x_hi += 0.5;
  if (y_hi - y_lo < 1e-12 * std::max(1.0, std::abs(y_hi))) y_lo -= 0.5, y_hi += 0.5;
  const double y_pad = 0.05 * (y_hi - y_lo), x_pad = options.log_x ? 0.05 * (x_hi - x_lo) : 0.0;
  y_lo -= y_pad, y_hi += y_pad, x_lo -= x_pad, x_hi += x_pad;

  auto px = [&](double x) { return left + static_cast<int>(std::lround((tx(x) - x_lo) / (x_hi - x_lo) * plot_w)); };
  auto py = [&](double y) { return top + plot_h - static_cast<int>(std::lround((y - y_lo) / (y_hi - y_lo) * plot_h)); };

  // Grid and tick labels.
  for (double t : nice_ticks(y_lo, y_hi)) {
    const int y = py(t);
    image.line(left, y, left + plot_w, y, kGrid);
    const auto label = format_tick(t);
    image.text(left - 6 - Image::text_width(label), y - Image::text_height() / 2, label, kInk);
  }
  std::vector<double> x_ticks;
  if (options.log_x) {
    for (double p = std::floor(x_lo); p <= x_hi; p += 1) if (p >= x_lo) x_ticks.push_back(std::pow(10.0, p));
  } else {
    x_ticks = nice_ticks(x_lo, x_hi);
  }
  for (double t : x_ticks) {
    const int x = px(t);
    image.line(x, top, x, top + plot_h, kGrid);
    const auto label = format_tick(t);
    const int w = Image::text_width(label);  // centred on its tick, kept inside the image
    image.text(std::clamp(x - w / 2, 0, std::max(0, options.width - w - 1)), top + plot_h + 6, label, kInk);
  }
  image.line(left, top, left, top + plot_h, kInk);
  image.line(left, top + plot_h, left + plot_w, top + plot_h, kInk);

  for (const auto& s : series) {
    if (s.horizontal) {
      if (s.y.empty() || !std::isfinite(s.y[0])) continue;
      const int y = py(s.y[0]);
      for (int x = left; x <= left + plot_w; ++x) if ((x - left) % 10 < 6) image.set(x, y, s.color), image.set(x, y + 1, s.color);
      continue;
    }
    int last_x = 0, last_y = 0;
    bool have_last = false;
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.y[i]) || !std::isfinite(tx(s.x[i]))) {
        have_last = false;
        continue;
      }
      const int x = px(s.x[i]), y = py(s.y[i]);
      if (have_last) image.line(last_x, last_y, x, y, s.color);
      if (s.markers) image.fill_rect(x - 2, y - 2, x + 2, y + 2, s.color);
      if (i < s.error.size() && std::isfinite(s.error[i])) {
        const int y0 = py(s.y[i] - s.error[i]), y1 = py(s.y[i] + s.error[i]);
        image.line(x, y0, x, y1, s.color);
        image.line(x - 3, y0, x + 3, y0, s.color);
        image.line(x - 3, y1, x + 3, y1, s.color);
      }
      last_x = x, last_y = y, have_last = true;
    }
  }

  int text_y = 8;
  if (!options.title.empty()) image.text(left, text_y, options.title, kInk), text_y += row_h;
  if (!options.y_label.empty()) image.text(left - 40, text_y, options.y_label, kInk);
  if (!options.x_label.empty()) {
    image.text(left + plot_w / 2 - Image::text_width(options.x_label) / 2, top + plot_h + 26, options.x_label, kInk);
  }
  int legend_y = top + plot_h + (options.x_label.empty() ? 30 : 46);
  for (const auto& row : legend_rows) {
    int x = left;
    for (const Series* s : row) {
      image.fill_rect(x, legend_y + 3, x + 18, legend_y + 5, s->color);
      image.text(x + 24, legend_y, s->label, kInk);
      x += 30 + Image::text_width(s->label);
    }
    legend_y += row_h;
  }
  return image;
}

Image stack_vertically(const std::vector<Image>& images) {
  int width = 1, height = 0;
  for (const auto& image : images) width = std::max(width, image.width()), height += image.height();
  Image out(width, std::max(height, 1));
  int y = 0;
  for (const auto& image : images) {
    out.paste(image, 0, y);
    y += image.height();
  }
  return out;
}

}  // namespace ebm::reports
