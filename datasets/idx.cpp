#include "datasets/idx.h"

#include <torch/torch.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "io/gzip_input.h"
#include "io/input_error.h"

namespace ebm::datasets {

namespace {

// Reads exactly n bytes or fails with a message naming the file.
void read_exactly(std::istream& in, void* out, size_t n, const std::string& path) {
  if (!in.read(static_cast<char*>(out), static_cast<std::streamsize>(n))) {
    throw io::InputError("'" + path + "' is truncated: expected " + std::to_string(n) + " more bytes");
  }
}

uint32_t big_endian(const unsigned char* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

}  // namespace

torch::Tensor read_idx(const std::string& path, int64_t limit) {
  io::GzipInputStream file(path);
  if (!file.is_open()) throw io::InputError("cannot open '" + path + "' (is the dataset installed? run scripts/setup)");
  unsigned char magic[4];
  read_exactly(file, magic, sizeof magic, path);
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 8 || magic[3] < 1 || magic[3] > 4) {
    throw io::InputError("'" + path + "' is not an IDX file of unsigned bytes (magic 0x0000080N, N = 1 to 4)");
  }
  if (magic[3] == 1) {
    throw io::InputError("'" + path + "' holds a one-dimensional IDX array (labels?); data files need examples in rows");
  }
  std::vector<int64_t> sizes(magic[3]);
  for (auto& size : sizes) {
    unsigned char b[4];
    read_exactly(file, b, sizeof b, path);
    size = big_endian(b);
  }
  int64_t row_bytes = 1;
  constexpr int64_t kMaxRow = int64_t{1} << 24;
  for (size_t i = 1; i < sizes.size(); ++i) {
    if (sizes[i] <= 0 || sizes[i] > kMaxRow || row_bytes * sizes[i] > kMaxRow) {
      throw io::InputError("'" + path + "' declares rows of more than 2^24 values or an empty dimension; at most 2^24 are read");
    }
    row_bytes *= sizes[i];
  }
  if (sizes[0] == 0) throw io::InputError("'" + path + "' declares no rows");
  const int64_t n = limit > 0 ? std::min(limit, sizes[0]) : sizes[0];
  // Grown row by row, so a header that declares more than the file holds ends in a message
  // about the truncated file, not in one huge allocation.
  const auto image_bytes = static_cast<size_t>(row_bytes);
  std::vector<unsigned char> bytes;
  bytes.reserve(std::min<size_t>(static_cast<size_t>(n) * image_bytes, size_t{64} << 20));
  for (int64_t i = 0; i < n; ++i) {
    bytes.resize(bytes.size() + image_bytes);
    read_exactly(file, bytes.data() + bytes.size() - image_bytes, image_bytes, path);
  }
  if (n == sizes[0] && file.peek() != std::char_traits<char>::eof()) {
    throw io::InputError("'" + path + "' holds more bytes than its header declares (" + std::to_string(sizes[0]) +
                         " rows of " + std::to_string(row_bytes) + "): a damaged or concatenated file");
  }
  return torch::from_blob(bytes.data(), {n, row_bytes}, torch::kUInt8).to(torch::kFloat64);
}

torch::Tensor read_idx_images(const std::string& path, int64_t limit) {
  io::GzipInputStream file(path);
  unsigned char magic[4];
  if (file.is_open() && file.read(reinterpret_cast<char*>(magic), 4) && big_endian(magic) != 0x00000803) {
    throw io::InputError("'" + path + "' is not an IDX file of unsigned-byte images (magic 0x00000803)");
  }
  return read_idx(path, limit) / 255.0;
}

Dataset mnist_layout(const std::string& name, const std::string& directory, int64_t train, int64_t held_out) {
  // Debian's package gzips the files; the npm package does not.
  const auto file = [&](const std::string& stem) {
    const std::string plain = directory + "/" + stem;
    std::unique_ptr<FILE, int (*)(FILE*)> probe(std::fopen(plain.c_str(), "rb"), &std::fclose);
    return probe ? plain : plain + ".gz";
  };
  auto train_images = read_idx_images(file("train-images-idx3-ubyte"), train);
  auto test_images = read_idx_images(file("t10k-images-idx3-ubyte"), held_out);
  return Dataset(train_images, name, test_images);
}

}  // namespace ebm::datasets
