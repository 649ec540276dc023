#include "reports/safetensors.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.h"

namespace ebm::reports {

namespace {
const std::map<at::ScalarType, std::string>& dtype_names() {
  static const std::map<at::ScalarType, std::string> names = {
      {at::kFloat, "F32"}, {at::kDouble, "F64"}, {at::kLong, "I64"}};
  return names;
}
}  // namespace

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string body;
  for (const auto& [name, tensor] : tensors) {
    auto it = dtype_names().find(tensor.scalar_type());
    if (it == dtype_names().end()) throw std::runtime_error("safetensors: unsupported dtype of " + name);
    auto cpu = tensor.detach().to(at::kCPU).contiguous();
    const size_t begin = body.size(), bytes = cpu.numel() * cpu.element_size();
    body.append(static_cast<const char*>(cpu.data_ptr()), bytes);
    header[name] = {{"dtype", it->second}, {"shape", cpu.sizes().vec()}, {"data_offsets", {begin, begin + bytes}}};
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  uint64_t length = json.size();
  std::string file(reinterpret_cast<const char*>(&length), 8);
  io::write_file_atomically(path, file + json + body);
}

NamedTensors read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  uint64_t length = 0;
  if (!in || bytes.size() < 8) throw std::runtime_error(path + ": not a safetensors file");
  std::memcpy(&length, bytes.data(), 8);
  if (8 + length > bytes.size()) throw std::runtime_error(path + ": truncated safetensors header");
  auto header = nlohmann::ordered_json::parse(bytes.substr(8, length));
  const char* data = bytes.data() + 8 + length;
  const size_t data_size = bytes.size() - 8 - length;
  NamedTensors tensors;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    at::ScalarType type = at::kFloat;
    bool known = false;
    for (const auto& [t, n] : dtype_names()) {
      if (n == entry.at("dtype").get<std::string>()) type = t, known = true;
    }
    if (!known) throw std::runtime_error(path + ": unsupported dtype for " + name);
    auto shape = entry.at("shape").get<std::vector<int64_t>>();
    auto offsets = entry.at("data_offsets").get<std::vector<size_t>>();
    if (offsets.size() != 2 || offsets[1] > data_size || offsets[0] > offsets[1]) {
      throw std::runtime_error(path + ": bad data_offsets for " + name);
    }
    auto tensor = at::empty(shape, at::TensorOptions().dtype(type));
    if (static_cast<size_t>(tensor.numel() * tensor.element_size()) != offsets[1] - offsets[0]) {
      throw std::runtime_error(path + ": size mismatch for " + name);
    }
    std::memcpy(tensor.data_ptr(), data + offsets[0], offsets[1] - offsets[0]);
    tensors.emplace_back(name, tensor);
  }
  return tensors;
}

}  // namespace ebm::reports
