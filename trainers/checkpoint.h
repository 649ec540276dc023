// Checkpoint files: a torch archive written to a temporary file and renamed into place, so a
// crash mid-write never leaves a truncated checkpoint; and snapshots of the global generators.
#pragma once

#include <torch/serialize/archive.h>

#include <string>

namespace ebm::trainers {

void save_atomically(torch::serialize::OutputArchive& archive, const std::string& path);

// The state of the default CPU generator (and CUDA's, when LibTorch has it and a GPU is there).
struct GeneratorSnapshot {
  torch::Tensor cpu, cuda;
  static GeneratorSnapshot capture();
  void restore() const;
  void save(torch::serialize::OutputArchive& archive) const;
  static GeneratorSnapshot load(torch::serialize::InputArchive& archive);
};

}  // namespace ebm::trainers
