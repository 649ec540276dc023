#include "trainers/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/serialize.h>

#include <c10/util/Exception.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <fstream>
#include <mutex>
#include <sstream>

#include "io/atomic_file.h"
#include "io/input_error.h"

namespace ebm::trainers {

torch::Tensor bytes_tensor(const std::string& bytes) {
  auto out = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  if (!bytes.empty()) std::memcpy(out.data_ptr(), bytes.data(), bytes.size());
  return out;
}

std::string tensor_bytes(const torch::Tensor& bytes) {
  const auto host = bytes.to(torch::kCPU, torch::kUInt8).contiguous();
  return std::string(static_cast<const char*>(host.data_ptr()), static_cast<size_t>(host.numel()));
}

std::string archive_bytes(torch::serialize::OutputArchive& archive) {
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void read_archive_bytes(torch::serialize::InputArchive& archive, const std::string& bytes, torch::Device device) {
  std::istringstream in(bytes);
  archive.load_from(in, device);
}

namespace {
// A checkpoint file is LibTorch's archive followed by this trailer: a magic word, the archive's
// length and its CRC-32. LibTorch 1.13's TorchScript importer can crash (not throw) on a damaged
// archive (found by tests/fuzz/fuzz_checkpoint), so no byte reaches it before the check passes.
constexpr char kTrailerMagic[8] = {'E', 'B', 'M', 'C', 'K', 'P', 'T', '1'};
constexpr size_t kTrailerSize = 8 + 8 + 4;

uint32_t crc32_of(const std::string& bytes, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t done = 0; done < n;) {
    const auto chunk = static_cast<uInt>(std::min<size_t>(n - done, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + done), chunk);
    done += chunk;
  }
  return static_cast<uint32_t>(crc);
}

// The archive inside `bytes`, or an io::InputError saying why there is none.
size_t checked_archive_length(const std::string& bytes) {
  if (bytes.empty()) throw io::InputError("the file is empty");
  if (bytes.size() < kTrailerSize || bytes.compare(bytes.size() - kTrailerSize, 8, kTrailerMagic, 8) != 0) {
    throw io::InputError("no integrity trailer: truncated, damaged, or not written by this version of ebm");
  }
  uint64_t length = 0;
  uint32_t crc = 0;
  std::memcpy(&length, bytes.data() + bytes.size() - kTrailerSize + 8, 8);
  std::memcpy(&crc, bytes.data() + bytes.size() - 4, 4);
  if (length != bytes.size() - kTrailerSize) throw io::InputError("its length does not match its trailer");
  if (crc32_of(bytes, length) != crc) throw io::InputError("its bytes do not match their checksum: the file is damaged");
  return length;
}
}  // namespace

void save_checkpoint_file(std::string bytes, const std::string& path) {
  const uint64_t length = bytes.size();
  const uint32_t crc = crc32_of(bytes, bytes.size());
  bytes.append(kTrailerMagic, 8);
  bytes.append(reinterpret_cast<const char*>(&length), 8);
  bytes.append(reinterpret_cast<const char*>(&crc), 4);
  io::write_file_atomically(path, bytes);
}

torch::serialize::InputArchive open_checkpoint(const std::string& path, torch::Device device) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io::InputError(path + ": cannot read the checkpoint");
  std::stringstream bytes;
  bytes << in.rdbuf();
  return checkpoint_from_bytes(bytes.str(), path, device);
}

namespace {
// The first words of LibTorch's message (its own backtrace left out).
std::string reason_of(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  return std::string(torch_error ? torch_error->what_without_backtrace() : e.what()).substr(0, 200);
}
}  // namespace

torch::serialize::InputArchive checkpoint_from_bytes(const std::string& data, const std::string& origin,
                                                     torch::Device device) {
  torch::serialize::InputArchive archive;
  try {
    const size_t length = checked_archive_length(data);
    read_archive_bytes(archive, data.substr(0, length), device);
    c10::IValue format;
    if (!archive.try_read("format", format) || !format.isInt()) throw io::InputError("it has no format entry");
    if (format.toInt() < 1 || format.toInt() > 2) {
      throw io::InputError("unsupported checkpoint format " + std::to_string(format.toInt()));
    }
  } catch (const io::InputError& e) {
    throw io::InputError(origin + ": not a checkpoint of this program (" + e.what() + ")");
  } catch (const std::exception& e) {  // c10::Error, and the TorchScript reader's own kinds
    throw io::InputError(origin + ": not a readable checkpoint, truncated or not written by ebm (" + reason_of(e) + ")");
  }
  return archive;
}

void as_input_error(const std::string& origin, const std::function<void()>& read) {
  try {
    read();
  } catch (const io::InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw io::InputError(origin + ": a damaged checkpoint, or one that does not fit this config (" + reason_of(e) + ")");
  }
}

std::string read_checkpoint_config(const std::string& path) {
  auto archive = open_checkpoint(path, torch::kCPU);
  c10::IValue value;
  return archive.try_read("config", value) && value.isString() ? value.toStringRef() : "";
}

namespace {
// The tensor at a dotted module path ("layers.0.weight"): submodules are nested archives.
bool read_nested(torch::serialize::InputArchive& archive, const std::string& key, torch::Tensor& out) {
  const auto dot = key.find('.');
  if (dot == std::string::npos) return archive.try_read(key, out);
  torch::serialize::InputArchive child;
  return archive.try_read(key.substr(0, dot), child) && read_nested(child, key.substr(dot + 1), out);
}
}  // namespace

void read_model(torch::serialize::InputArchive& checkpoint, EnergyModelImpl& model, const std::string& origin) {
  as_input_error(origin, [&] {
    c10::IValue value;
    if (!checkpoint.try_read("model_type", value) || !value.isString()) throw io::InputError(origin + ": no model type");
    if (value.toStringRef() != model.type_name()) {
      throw io::InputError(origin + ": the checkpoint holds a '" + value.toStringRef() + "' model, the config a '" +
                           model.type_name() + "'");
    }
    torch::serialize::InputArchive saved;
    if (!checkpoint.try_read("model", saved)) throw io::InputError(origin + ": no model entry");
    // Each tensor by its name (or the name an earlier version gave it), its shape compared first
    // so a config that no longer fits its checkpoint is named here, not as a shape error deep in
    // a matrix product.
    std::map<std::string, std::string> former;
    for (const auto& [old_name, name] : model.former_parameter_names()) former[name] = old_name;
    auto load = [&](const std::string& name, torch::Tensor& target, const char* what) {
      torch::Tensor stored;
      if (!read_nested(saved, name, stored) && !(former.count(name) && read_nested(saved, former[name], stored))) {
        throw io::InputError(origin + ": the checkpoint has no " + what + " '" + name + "'");
      }
      if (stored.sizes() != target.sizes()) {
        std::ostringstream message;
        message << origin << ": " << what << " '" << name << "' is " << stored.sizes() << " in the checkpoint but "
                << target.sizes() << " in the config's model";
        throw io::InputError(message.str());
      }
      torch::NoGradGuard no_grad;
      target.copy_(stored);
    };
    for (auto& item : model.named_parameters()) load(item.key(), item.value(), "parameter");
    for (auto& item : model.named_buffers()) load(item.key(), item.value(), "buffer");
  });
}

int64_t load_checkpoint_model(const std::string& path, EnergyModelImpl& model) {
  const auto device = model.parameters().empty() ? torch::Device(torch::kCPU) : model.parameters().front().device();
  auto archive = open_checkpoint(path, device);
  read_model(archive, model, path);
  int64_t step = 0;
  as_input_error(path, [&] {
    GeneratorSnapshot::load(archive).restore();
    c10::IValue value;
    if (!archive.try_read("step", value) || !value.isInt()) throw io::InputError(path + ": no step entry");
    step = value.toInt();
  });
  return step;
}

namespace {
bool has_cuda_generator() { return at::hasCUDA() && at::globalContext().hasCUDA(); }
}  // namespace

GeneratorSnapshot GeneratorSnapshot::capture() {
  GeneratorSnapshot snapshot;
  auto cpu = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(cpu.mutex());
    snapshot.cpu = cpu.get_state();
  }
  if (has_cuda_generator()) {
    auto cuda = at::globalContext().defaultGenerator(at::kCUDA);
    std::lock_guard<std::mutex> lock(cuda.mutex());
    snapshot.cuda = cuda.get_state();
  }
  return snapshot;
}

void GeneratorSnapshot::restore() const {
  auto cpu = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(cpu.mutex());
    cpu.set_state(this->cpu);
  }
  if (cuda.defined() && has_cuda_generator()) {
    auto generator = at::globalContext().defaultGenerator(at::kCUDA);
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(cuda);
  }
}

void GeneratorSnapshot::save(torch::serialize::OutputArchive& archive) const {
  archive.write("generator_cpu", cpu, /*is_buffer=*/true);
  if (cuda.defined()) archive.write("generator_cuda", cuda, /*is_buffer=*/true);
}

GeneratorSnapshot GeneratorSnapshot::load(torch::serialize::InputArchive& archive) {
  GeneratorSnapshot snapshot;
  archive.read("generator_cpu", snapshot.cpu, /*is_buffer=*/true);
  archive.try_read("generator_cuda", snapshot.cuda, /*is_buffer=*/true);
  // Generator states live on the CPU whatever device the archive was mapped to.
  snapshot.cpu = snapshot.cpu.cpu();
  if (snapshot.cuda.defined()) snapshot.cuda = snapshot.cuda.cpu();
  return snapshot;
}

}  // namespace ebm::trainers
