// IDX files (LeCun et al., the MNIST format), plain or gzipped: a big-endian header (magic
// 0x000008NN: unsigned bytes in NN dimensions, then NN sizes) followed by the bytes. Read as rows
// (the first dimension) of the remaining dimensions flattened: images become rows of pixels.
#pragma once

#include <string>

#include "datasets/dataset.h"

namespace ebm::datasets {

// The first `limit` rows (all if 0) of an IDX file of 2 to 4 dimensions as [n, rest] float64
// byte values 0..255. Throws io::InputError naming the file when it is missing, truncated, not
// unsigned bytes, or one-dimensional (a label file).
torch::Tensor read_idx(const std::string& path, int64_t limit = 0);

// The same, for images (IDX3) only, scaled to [0, 1].
torch::Tensor read_idx_images(const std::string& path, int64_t limit = 0);

// The MNIST layout (Fashion-MNIST as installed by Debian's dataset-fashion-mnist; MNIST as
// installed by scripts/setup): `train` training images and `held_out` test images (0 = all of
// each) from `directory`/train-images-idx3-ubyte[.gz] and t10k-images-idx3-ubyte[.gz], in [0, 1].
Dataset mnist_layout(const std::string& name, const std::string& directory, int64_t train, int64_t held_out);

}  // namespace ebm::datasets
