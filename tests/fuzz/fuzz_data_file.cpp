// libFuzzer harness: users' data files. The first byte picks the reader (CSV, .npy or IDX); the
// rest is the file, plain or gzipped. Only io::InputError may come out, and what is read is a
// non-empty [N, D] float64 matrix of finite numbers.
#include <unistd.h>

#include <fstream>
#include <string>

#include <torch/torch.h>

#include "datasets/data_file.h"
#include "io/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::string path = "/tmp/ebm_fuzz_data_file_" + std::to_string(getpid());
  const ebm::datasets::FileFormat formats[] = {ebm::datasets::FileFormat::Csv, ebm::datasets::FileFormat::Npy,
                                               ebm::datasets::FileFormat::Idx};
  const auto format = formats[data[0] % 3];
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  try {
    const auto file = ebm::datasets::read_data_file(path, format);
    const auto& rows = file.rows;
    if (rows.dim() != 2 || rows.scalar_type() != torch::kFloat64 || rows.size(0) == 0 || rows.size(1) == 0 ||
        !torch::isfinite(rows).all().item<bool>()) {
      __builtin_trap();
    }
  } catch (const ebm::io::InputError&) {
  }
  return 0;
}
