#include "reports/safetensors.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.h"
#include "io/input_error.h"

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

NamedTensors read_safetensors(const std::string& path, std::map<std::string, std::string>* metadata) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io::InputError(path + ": cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  if (bytes.size() < 8) throw io::InputError(path + ": not a safetensors file");
  uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  if (length > bytes.size() - 8) throw io::InputError(path + ": truncated safetensors header");
  nlohmann::ordered_json header;
  try {
    header = nlohmann::ordered_json::parse(bytes.substr(8, length));
  } catch (const nlohmann::json::exception&) {
    throw io::InputError(path + ": the safetensors header is not JSON");
  }
  if (!header.is_object()) throw io::InputError(path + ": the safetensors header is not a JSON object");
  const char* data = bytes.data() + 8 + length;
  const size_t data_size = bytes.size() - 8 - length;
  NamedTensors tensors;
  for (const auto& item : header.items()) {
    const std::string name = item.key();
    const auto& entry = item.value();
    if (name == "__metadata__") {
      if (metadata == nullptr) continue;
      if (!entry.is_object()) throw io::InputError(path + ": the safetensors __metadata__ is not a JSON object");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) throw io::InputError(path + ": the safetensors __metadata__ '" + key + "' is not a string");
        (*metadata)[key] = value.get<std::string>();
      }
      continue;
    }
    const auto bad = [&](const std::string& what) { return io::InputError(path + ": " + what + " for '" + name + "'"); };
    if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string() || !entry.contains("shape") ||
        !entry["shape"].is_array() || !entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2) {
      throw bad("an entry without dtype, shape and two data_offsets");
    }
    at::ScalarType type = at::kFloat;
    bool known = false;
    for (const auto& [t, n] : dtype_names()) {
      if (n == entry["dtype"].get<std::string>()) type = t, known = true;
    }
    if (!known) throw bad("an unsupported dtype");
    std::vector<int64_t> shape;
    size_t expected = c10::elementSize(type);
    for (const auto& extent : entry["shape"]) {
      if (!extent.is_number_unsigned() || extent.get<uint64_t>() > data_size) throw bad("a bad shape");
      shape.push_back(static_cast<int64_t>(extent.get<uint64_t>()));
      if (shape.back() != 0 && expected > data_size / static_cast<size_t>(shape.back()) + 1) throw bad("a shape larger than the file");
      expected *= static_cast<size_t>(shape.back());
    }
    const auto& offsets = entry["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) throw bad("bad data_offsets");
    const auto begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (end > data_size || begin > end) throw bad("bad data_offsets");
    if (end - begin != expected) throw bad("a size that does not match its shape");
    auto tensor = at::empty(shape, at::TensorOptions().dtype(type));
    if (expected > 0) std::memcpy(tensor.data_ptr(), data + begin, expected);
    tensors.emplace_back(name, tensor);
  }
  return tensors;
}

}  // namespace ebm::reports
