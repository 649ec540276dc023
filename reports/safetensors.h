// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
// JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
// then the raw little-endian tensor bytes. Readable from Python with numpy alone.
#pragma once

#include <ATen/Tensor.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ebm::reports {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Writes atomically; tensors are copied to contiguous CPU memory. Supports F32, F64, I64.
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});
// Reads back every tensor (CPU), and the metadata's string values where `metadata` is given;
// throws io::InputError naming the file when it is not a well-formed safetensors file.
NamedTensors read_safetensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr);

}  // namespace ebm::reports
