#include "trainers/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/serialize.h>

#include <filesystem>
#include <mutex>

namespace ebm::trainers {

void save_atomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  const std::string temporary = path + ".tmp";
  archive.save_to(temporary);
  std::filesystem::rename(temporary, path);
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
