// libFuzzer harness: the IDX image reader (plain or gzipped bytes). Only io::InputError may
// come out, and what is read is [n, rows * cols] in [0, 1].
#include <unistd.h>

#include <fstream>
#include <string>

#include <torch/torch.h>

#include "datasets/idx.h"
#include "io/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/ebm_fuzz_idx_" + std::to_string(getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    auto images = ebm::datasets::read_idx_images(path, 1000);
    if (images.dim() != 2 || (images.numel() > 0 && (images.min().item<double>() < 0 || images.max().item<double>() > 1))) {
      __builtin_trap();
    }
  } catch (const ebm::io::InputError&) {
  }
  return 0;
}
