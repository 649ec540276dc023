// PNG round trip and the chart renderer's geometry.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>

#include "reports/chart.h"
#include "reports/png.h"
#include "test_support.h"

namespace ebm::experiments {
using namespace reports;
namespace {

TEST(Pictures, PngRoundTripKeepsEveryPixel) {
  Image image(37, 21);
  for (int y = 0; y < 21; ++y) {
    for (int x = 0; x < 37; ++x) image.set(x, y, {static_cast<uint8_t>(x * 7), static_cast<uint8_t>(y * 11), static_cast<uint8_t>(x ^ y)});
  }
  const auto path = (testing::scratch_dir() / "round.png").string();
  write_png(path, image);
  std::ifstream file(path, std::ios::binary);
  char signature[8];
  file.read(signature, 8);
  EXPECT_EQ(std::string(signature + 1, 3), "PNG");
  auto back = read_png(path);
  ASSERT_EQ(back.width(), 37);
  ASSERT_EQ(back.height(), 21);
  EXPECT_EQ(back.rgb(), image.rgb());
}

TEST(Pictures, UnwritablePathNamesTheFile) {
  try {
    write_png("/nonexistent-dir/x.png", Image(2, 2));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.png"), std::string::npos);
  }
}

TEST(Pictures, ChartPutsHigherValuesHigherAndHonoursTheSize) {
  Series rising{"", {0, 1}, {0, 10}, {}, {200, 0, 0}};
  auto image = render_chart(ChartOptions(), {rising});
  EXPECT_EQ(image.width(), 720);
  EXPECT_EQ(image.height(), 360);
  // The red line's topmost pixel is at the right end, its lowest at the left.
  int top_x = -1, top_y = 1 << 30, bottom_x = -1, bottom_y = -1;
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      auto c = image.get(x, y);
      if (c.r == 200 && c.g == 0 && c.b == 0) {
        if (y < top_y) top_y = y, top_x = x;
        if (y > bottom_y) bottom_y = y, bottom_x = x;
      }
    }
  }
  ASSERT_GE(top_x, 0);
  EXPECT_GT(top_x, bottom_x + 500);
  EXPECT_GT(bottom_y, top_y + 250);
}

TEST(Pictures, TheLastTickLabelStaysWhole) {
  // x runs to 30000: the last tick, 3e+04, sits on the chart's right edge, and its label is
  // moved left to fit rather than cut off (as centring on the tick did).
  const ChartOptions options;
  const auto image = render_chart(options, {Series{"", {0, 30000}, {0, 1}, {}, {200, 0, 0}}});
  const Color ink{40, 40, 40};
  const auto is_ink = [&](const Image& im, int x, int y) {
    const auto c = im.get(x, y);
    return c.r == ink.r && c.g == ink.g && c.b == ink.b;
  };
  int axis = -1;  // the x axis: the lowest ink in the middle column, where no label is
  for (int y = 0; y < image.height(); ++y) if (is_ink(image, image.width() / 2, y)) axis = y;
  ASSERT_GT(axis, 0);
  Image alone(100, 20);
  alone.text(10, 5, "3e+04", ink);
  int expected = 0, found = 0;
  for (int y = 0; y < alone.height(); ++y) for (int x = 0; x < alone.width(); ++x) expected += is_ink(alone, x, y);
  for (int y = axis + 1; y < std::min(image.height(), axis + 6 + Image::text_height() + 2); ++y) {
    for (int x = image.width() - 60; x < image.width(); ++x) found += is_ink(image, x, y);
  }
  EXPECT_GT(expected, 20);
  EXPECT_EQ(found, expected);
}

TEST(Pictures, StackingAddsHeights) {
  auto stacked = stack_vertically({Image(10, 5, {1, 2, 3}), Image(20, 7, {4, 5, 6})});
  EXPECT_EQ(stacked.width(), 20);
  EXPECT_EQ(stacked.height(), 12);
  EXPECT_EQ(stacked.get(0, 0).r, 1);
  EXPECT_EQ(stacked.get(15, 6).r, 4);
  EXPECT_EQ(stacked.get(15, 0).r, 255);  // background where the narrow image left space
}

}  // namespace
}  // namespace ebm::experiments
