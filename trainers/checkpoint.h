// Checkpoint files: a torch archive serialised in memory, followed by an integrity trailer
// (magic, length, CRC-32), written atomically (io/atomic_file.h), so a crash or a full disk never
// leaves a torn checkpoint and a damaged one is refused before LibTorch parses it; reading them
// with errors that name the file; and snapshots of the global generators.
#pragma once

#include <torch/serialize/archive.h>

#include <functional>
#include <string>

#include "ebm/energy_model.h"

namespace ebm::trainers {

// The archive as bytes, and back (the form rollbacks keep in memory).
std::string archive_bytes(torch::serialize::OutputArchive& archive);
void read_archive_bytes(torch::serialize::InputArchive& archive, const std::string& bytes, torch::Device device);

// Bytes as a uint8 tensor (an archive entry), and back.
torch::Tensor bytes_tensor(const std::string& bytes);
std::string tensor_bytes(const torch::Tensor& bytes);

// Writes an archive's bytes (archive_bytes) with the trailer to `path` atomically;
// std::runtime_error naming the file on failure.
void save_checkpoint_file(std::string bytes, const std::string& path);
// Opens a checkpoint; io::InputError naming the file when it is missing, truncated or not one of ours.
torch::serialize::InputArchive open_checkpoint(const std::string& path, torch::Device device);
// The same for the bytes of a checkpoint; `origin` names them in messages.
torch::serialize::InputArchive checkpoint_from_bytes(const std::string& bytes, const std::string& origin,
                                                     torch::Device device);

// Runs `read`, turning any error LibTorch raises while reading an archive into an io::InputError
// that names `origin`.
void as_input_error(const std::string& origin, const std::function<void()>& read);

// The resolved config a checkpoint was trained with ("" for checkpoints that predate it).
std::string read_checkpoint_config(const std::string& path);
// Loads only the model of a checkpoint (no trainer, optimiser or chains) and restores the
// generators to their state there, so a tool on a trained run draws the same numbers each
// time; returns its step.
// io::InputError when the checkpoint holds another model type or other parameter shapes.
int64_t load_checkpoint_model(const std::string& path, EnergyModelImpl& model);
// Reads `model` from the archive's "model" entry, refusing other shapes (io::InputError naming `origin`).
void read_model(torch::serialize::InputArchive& checkpoint, EnergyModelImpl& model, const std::string& origin);

// The state of the default CPU generator (and CUDA's, when LibTorch has it and a GPU is there).
struct GeneratorSnapshot {
  torch::Tensor cpu, cuda;
  static GeneratorSnapshot capture();
  void restore() const;
  void save(torch::serialize::OutputArchive& archive) const;
  static GeneratorSnapshot load(torch::serialize::InputArchive& archive);
};

}  // namespace ebm::trainers
