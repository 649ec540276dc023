// IDX files (LeCun et al., the MNIST format), plain or gzipped: a big-endian header (magic
// 0x0000080N with N dimensions, then N sizes) followed by unsigned bytes. Images are read as
// rows of pixels scaled to [0, 1].
#pragma once

#include <string>

#include "datasets/dataset.h"

namespace ebm::datasets {

// The first `limit` images (all if 0) of an IDX3 file as [n, rows * cols] float64 in [0, 1].
// Throws io::InputError naming the file when it is missing, truncated or not IDX3 bytes.
torch::Tensor read_idx_images(const std::string& path, int64_t limit = 0);

// Fashion-MNIST (Xiao et al. 2017) as installed by Debian's dataset-fashion-mnist:
// `train` training images and `held_out` test images (0 = all of each).
Dataset fashion_mnist(int64_t train, int64_t held_out,
                      const std::string& directory = "/usr/share/datasets/fashion-mnist");

}  // namespace ebm::datasets
