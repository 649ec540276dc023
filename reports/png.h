// RGB raster images and their PNG encoding (libpng). Pictures are written atomically like every
// other file of a run, so an interrupted write never leaves a torn PNG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ebm::reports {

struct Color {
  uint8_t r = 0, g = 0, b = 0;
};

// The i-th colour of a ten-colour qualitative palette (cycled).
Color palette(size_t i);

class Image {
 public:
  Image(int width, int height, Color background = {255, 255, 255});
  int width() const { return width_; }
  int height() const { return height_; }
  // Pixels outside the image are ignored, so callers can draw without clipping.
  void set(int x, int y, Color color);
  Color get(int x, int y) const;
  void fill_rect(int x0, int y0, int x1, int y1, Color color);  // inclusive corners
  void line(int x0, int y0, int x1, int y1, Color color);
  // Text in a built-in 3x5 pixel font drawn at `scale` (lower-case letters print as capitals).
  void text(int x, int y, const std::string& s, Color color, int scale = 2);
  static int text_width(const std::string& s, int scale = 2) { return static_cast<int>(s.size()) * 4 * scale; }
  static int text_height(int scale = 2) { return 5 * scale; }
  // Copies `other` with its top-left corner at (x, y).
  void paste(const Image& other, int x, int y);
  const std::vector<uint8_t>& rgb() const { return rgb_; }

 private:
  int width_, height_;
  std::vector<uint8_t> rgb_;
};

// Writes `image` as an 8-bit RGB PNG; throws std::runtime_error naming the file on failure.
void write_png(const std::string& path, const Image& image);
// Reads an 8-bit RGB PNG written by write_png (for tests and tools).
Image read_png(const std::string& path);

}  // namespace ebm::reports
