#include "trainers/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/serialize.h>

#include <c10/util/Exception.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "io/atomic_file.h"
#include "io/input_error.h"

namespace ebm::trainers {

std::string archive_bytes(torch::serialize::OutputArchive& archive) {
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void read_archive_bytes(torch::serialize::InputArchive& archive, const std::string& bytes, torch::Device device) {
  std::istringstream in(bytes);
  archive.load_from(in, device);
}

void save_checkpoint_file(torch::serialize::OutputArchive& archive, const std::string& path) {
  io::write_file_atomically(path, archive_bytes(archive));
}

torch::serialize::InputArchive open_checkpoint(const std::string& path, torch::Device device) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io::InputError(path + ": cannot read the checkpoint");
  std::stringstream bytes;
  bytes << in.rdbuf();
  return checkpoint_from_bytes(bytes.str(), path, device);
}

torch::serialize::InputArchive checkpoint_from_bytes(const std::string& data, const std::string& origin,
                                                     torch::Device device) {
  torch::serialize::InputArchive archive;
  try {
    if (data.empty()) throw io::InputError("the file is empty");
    read_archive_bytes(archive, data, device);
    c10::IValue format;
    if (!archive.try_read("format", format) || !format.isInt()) throw io::InputError("it has no format entry");
    if (format.toInt() < 1 || format.toInt() > 2) {
      throw io::InputError("unsupported checkpoint format " + std::to_string(format.toInt()));
    }
  } catch (const io::InputError& e) {
    throw io::InputError(origin + ": not a checkpoint of this program (" + e.what() + ")");
  } catch (const c10::Error& e) {
    throw io::InputError(origin + ": not a readable checkpoint, truncated or not written by ebm (" +
                         std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  } catch (const std::exception& e) {  // LibTorch's TorchScript reader throws its own kinds too
    throw io::InputError(origin + ": not a readable checkpoint, truncated or not written by ebm (" +
                         std::string(e.what()).substr(0, 200) + ")");
  }
  return archive;
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

namespace {
void read_model_unchecked(torch::serialize::InputArchive& checkpoint, EnergyModelImpl& model, const std::string& origin) {
  c10::IValue value;
  if (!checkpoint.try_read("model_type", value) || !value.isString()) throw io::InputError(origin + ": no model type");
  if (value.toStringRef() != model.type_name()) {
    throw io::InputError(origin + ": the checkpoint holds a '" + value.toStringRef() + "' model, the config a '" +
                         model.type_name() + "'");
  }
  torch::serialize::InputArchive saved;
  if (!checkpoint.try_read("model", saved)) throw io::InputError(origin + ": no model entry");
  // Module::load replaces tensors whatever their shape; compare first so a config that no
  // longer fits its checkpoint is named here, not as a shape error deep in a matrix product.
  for (const auto& item : model.named_parameters()) {
    torch::Tensor stored;
    if (!read_nested(saved, item.key(), stored)) throw io::InputError(origin + ": the checkpoint has no parameter '" + item.key() + "'");
    if (stored.sizes() != item.value().sizes()) {
      std::ostringstream message;
      message << origin << ": parameter '" << item.key() << "' is " << stored.sizes() << " in the checkpoint but "
              << item.value().sizes() << " in the config's model";
      throw io::InputError(message.str());
    }
  }
  try {
    model.load(saved);
  } catch (const c10::Error& e) {
    throw io::InputError(origin + ": the model does not fit the checkpoint (" +
                         std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  } catch (const std::exception& e) {
    throw io::InputError(origin + ": the model does not fit the checkpoint (" + std::string(e.what()).substr(0, 200) + ")");
  }
}
}  // namespace

void read_model(torch::serialize::InputArchive& checkpoint, EnergyModelImpl& model, const std::string& origin) {
  try {
    read_model_unchecked(checkpoint, model, origin);
  } catch (const io::InputError&) {
    throw;
  } catch (const c10::Error& e) {
    throw io::InputError(origin + ": a damaged checkpoint (" + std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  } catch (const std::exception& e) {
    throw io::InputError(origin + ": a damaged checkpoint (" + std::string(e.what()).substr(0, 200) + ")");
  }
}

int64_t load_checkpoint_model(const std::string& path, EnergyModelImpl& model) {
  const auto device = model.parameters().empty() ? torch::Device(torch::kCPU) : model.parameters().front().device();
  auto archive = open_checkpoint(path, device);
  try {
    read_model(archive, model, path);
    GeneratorSnapshot::load(archive).restore();
    c10::IValue step;
    if (!archive.try_read("step", step) || !step.isInt()) throw io::InputError(path + ": no step entry");
    return step.toInt();
  } catch (const io::InputError&) {
    throw;
  } catch (const c10::Error& e) {
    throw io::InputError(path + ": a damaged checkpoint (" + std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  } catch (const std::exception& e) {
    throw io::InputError(path + ": a damaged checkpoint (" + std::string(e.what()).substr(0, 200) + ")");
  }
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
