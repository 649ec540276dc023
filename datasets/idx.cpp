#include "datasets/idx.h"

#include <torch/torch.h>
#include <zlib.h>

#include <memory>
#include <vector>

#include "io/input_error.h"

namespace ebm::datasets {

namespace {

// Reads exactly n bytes or fails with a message naming the file.
void read_exactly(gzFile file, void* out, size_t n, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    const int chunk = static_cast<int>(std::min<size_t>(n - done, 1 << 30));
    const int got = gzread(file, static_cast<char*>(out) + done, static_cast<unsigned>(chunk));
    if (got <= 0) throw io::InputError("'" + path + "' is truncated: expected " + std::to_string(n) + " more bytes");
    done += static_cast<size_t>(got);
  }
}

uint32_t big_endian(const unsigned char* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

}  // namespace

torch::Tensor read_idx_images(const std::string& path, int64_t limit) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), &gzclose);
  if (!file) throw io::InputError("cannot open '" + path + "' (is the dataset installed? run scripts/setup)");
  unsigned char header[16];
  read_exactly(file.get(), header, sizeof header, path);
  if (big_endian(header) != 0x00000803) {
    throw io::InputError("'" + path + "' is not an IDX file of unsigned-byte images (magic 0x00000803)");
  }
  const int64_t count = big_endian(header + 4), rows = big_endian(header + 8), cols = big_endian(header + 12);
  const int64_t n = limit > 0 ? std::min(limit, count) : count;
  constexpr int64_t kMaxPixels = int64_t{1} << 24;
  if (rows <= 0 || cols <= 0 || rows > kMaxPixels || cols > kMaxPixels || rows * cols > kMaxPixels) {
    throw io::InputError("'" + path + "' declares " + std::to_string(rows) + "x" + std::to_string(cols) +
                         " images; at most 2^24 pixels per image are read");
  }
  // Grown image by image, so a header that declares more than the file holds ends in a
  // message about the truncated file, not in one huge allocation.
  const auto image_bytes = static_cast<size_t>(rows * cols);
  std::vector<unsigned char> bytes;
  bytes.reserve(std::min<size_t>(static_cast<size_t>(n) * image_bytes, size_t{64} << 20));
  for (int64_t i = 0; i < n; ++i) {
    bytes.resize(bytes.size() + image_bytes);
    read_exactly(file.get(), bytes.data() + bytes.size() - image_bytes, image_bytes, path);
  }
  auto images = torch::from_blob(bytes.data(), {n, rows * cols}, torch::kUInt8).to(torch::kFloat64);
  return images / 255.0;
}

Dataset fashion_mnist(int64_t train, int64_t held_out, const std::string& directory) {
  auto train_images = read_idx_images(directory + "/train-images-idx3-ubyte.gz", train);
  auto test_images = read_idx_images(directory + "/t10k-images-idx3-ubyte.gz", held_out);
  return Dataset(train_images, "fashion_mnist", test_images);
}

}  // namespace ebm::datasets
