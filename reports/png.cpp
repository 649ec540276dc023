#include "reports/png.h"

#include "io/atomic_file.h"

#include <png.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>

namespace ebm::reports {

namespace {

// 3x5 glyphs, rows top to bottom, '1' = ink.
const std::map<char, const char*>& glyphs() {
  static const std::map<char, const char*> table = {
      {'0', "111101101101111"}, {'1', "010110010010111"}, {'2', "111001111100111"},
      {'3', "111001111001111"}, {'4', "101101111001001"}, {'5', "111100111001111"},
      {'6', "111100111101111"}, {'7', "111001001010010"}, {'8', "111101111101111"},
      {'9', "111101111001111"}, {'A', "010101111101101"}, {'B', "110101110101110"},
      {'C', "011100100100011"}, {'D', "110101101101110"}, {'E', "111100110100111"},
      {'F', "111100110100100"}, {'G', "011100101101011"}, {'H', "101101111101101"},
      {'I', "111010010010111"}, {'J', "001001001101010"}, {'K', "101101110101101"},
      {'L', "100100100100111"}, {'M', "101111111101101"}, {'N', "110101101101101"},
      {'O', "010101101101010"}, {'P', "110101110100100"}, {'Q', "010101101110011"},
      {'R', "110101110101101"}, {'S', "011100010001110"}, {'T', "111010010010010"},
      {'U', "101101101101111"}, {'V', "101101101101010"}, {'W', "101101111111101"},
      {'X', "101101010101101"}, {'Y', "101101010010010"}, {'Z', "111001010100111"},
      {'.', "000000000000010"}, {'-', "000000111000000"}, {'+', "000010111010000"},
      {'_', "000000000000111"}, {':', "000010000010000"}, {'=', "000111000111000"},
      {'(', "001010010010001"}, {')', "100010010010100"}, {',', "000000000010100"},
      {'/', "001001010100100"}, {'%', "101001010100101"}, {'|', "010010010010010"},
      {'<', "001010100010001"}, {'>', "100010001010100"}, {'*', "000101010101000"},
  };
  return table;
}

}  // namespace

Color palette(size_t i) {
  static const std::array<Color, 10> colors = {{{31, 119, 180}, {255, 127, 14}, {44, 160, 44},
                                                {214, 39, 40}, {148, 103, 189}, {140, 86, 75},
                                                {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
                                                {23, 190, 207}}};
  return colors[i % colors.size()];
}

Image::Image(int width, int height, Color background) : width_(width), height_(height) {
  if (width <= 0 || height <= 0) throw std::invalid_argument("an image needs a positive size");
  rgb_.resize(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < rgb_.size(); i += 3) {
    rgb_[i] = background.r;
    rgb_[i + 1] = background.g;
    rgb_[i + 2] = background.b;
  }
}

void Image::set(int x, int y, Color color) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  auto* p = &rgb_[(static_cast<size_t>(y) * width_ + x) * 3];
  p[0] = color.r;
  p[1] = color.g;
  p[2] = color.b;
}

Color Image::get(int x, int y) const {
  const auto* p = &rgb_[(static_cast<size_t>(y) * width_ + x) * 3];
  return {p[0], p[1], p[2]};
}

void Image::fill_rect(int x0, int y0, int x1, int y1, Color color) {
  for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y) {
    for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x) set(x, y, color);
  }
}

void Image::line(int x0, int y0, int x1, int y1, Color color) {
  // Bresenham.
  const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
  const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int error = dx + dy;
  for (;;) {
    set(x0, y0, color);
    if (x0 == x1 && y0 == y1) break;
    const int e2 = 2 * error;
    if (e2 >= dy) {
      error += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      error += dx;
      y0 += sy;
    }
  }
}

void Image::text(int x, int y, const std::string& s, Color color, int scale) {
  for (char c : s) {
    auto it = glyphs().find(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (it != glyphs().end()) {
      for (int row = 0; row < 5; ++row) {
        for (int col = 0; col < 3; ++col) {
          if (it->second[row * 3 + col] == '1') {
            fill_rect(x + col * scale, y + row * scale, x + (col + 1) * scale - 1, y + (row + 1) * scale - 1, color);
          }
        }
      }
    }
    x += 4 * scale;
  }
}

void Image::paste(const Image& other, int x, int y) {
  for (int j = 0; j < other.height(); ++j) {
    for (int i = 0; i < other.width(); ++i) set(x + i, y + j, other.get(i, j));
  }
}

void write_png(const std::string& path, const Image& image) {
  // Encoded in memory, then written like every other file of a run (write_file_atomically).
  std::string encoded;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error("libpng failed to encode '" + path + "'");
  }
  png_set_write_fn(
      png, &encoded,
      [](png_structp p, png_bytep data, png_size_t n) {
        static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), n);
      },
      nullptr);
  png_set_IHDR(png, info, image.width(), image.height(), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image.height(); ++y) {
    png_write_row(png, image.rgb().data() + static_cast<size_t>(y) * image.width() * 3);
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  try {
    io::write_file_atomically(path, encoded);
  } catch (const std::exception&) {
    throw std::runtime_error("cannot write picture '" + path + "'");
  }
}

Image read_png(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw std::runtime_error("cannot open picture '" + path + "'");
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw std::runtime_error("'" + path + "' is not a PNG this tool can read");
  }
  png_init_io(png, file.get());
  png_read_info(png, info);
  if (png_get_color_type(png, info) != PNG_COLOR_TYPE_RGB || png_get_bit_depth(png, info) != 8) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw std::runtime_error("'" + path + "' is not an 8-bit RGB PNG");
  }
  Image image(static_cast<int>(png_get_image_width(png, info)), static_cast<int>(png_get_image_height(png, info)));
  std::vector<uint8_t> row(static_cast<size_t>(image.width()) * 3);
  for (int y = 0; y < image.height(); ++y) {
    png_read_row(png, row.data(), nullptr);
    for (int x = 0; x < image.width(); ++x) image.set(x, y, {row[x * 3], row[x * 3 + 1], row[x * 3 + 2]});
  }
  png_destroy_read_struct(&png, &info, nullptr);
  return image;
}

}  // namespace ebm::reports
