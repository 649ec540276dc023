#include "ebm/torchscript_energy.h"

#include <torch/csrc/jit/serialization/import.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <filesystem>

#include "io/input_error.h"

namespace ebm {

namespace {

std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

// The module that holds the tensor named `dotted` ("net.0.weight": the child "net", its child "0"),
// made as empty submodules of `root` where missing, and the tensor's own name ("weight").
std::pair<torch::nn::Module*, std::string> holder_of(torch::nn::Module& root, const std::string& dotted) {
  torch::nn::Module* module = &root;
  size_t start = 0;
  for (size_t dot = dotted.find('.'); dot != std::string::npos; start = dot + 1, dot = dotted.find('.', start)) {
    const auto name = dotted.substr(start, dot - start);
    auto children = module->named_children();
    auto* found = children.find(name);
    module = found ? found->get() : module->register_module(name, std::make_shared<torch::nn::Module>()).get();
  }
  return {module, dotted.substr(start)};
}

}  // namespace

TorchScriptEnergyImpl::TorchScriptEnergyImpl(const TorchScriptEnergyOptions& options) : options_(options) {
  const auto& path = options_.path();
  auto refuse = [&](const std::string& why) { throw io::InputError("'" + path + "': " + why); };
  if (!std::filesystem::is_regular_file(path)) refuse("no such file");
  try {
    module_ = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& error) {
    refuse("not a TorchScript module this LibTorch (" TORCH_VERSION ") can load (save it with torch.jit.save from a "
           "scripted or traced module): " + first_line(error.what_without_backtrace()));
  }
  if (!module_.find_method("forward")) refuse("the module has no forward(x) method");
  // The same tensors under the same dotted names, in submodules named like the module's own.
  for (const auto& p : module_.named_parameters(/*recurse=*/true)) {
    auto [holder, name] = holder_of(*this, p.name);
    holder->register_parameter(name, p.value, p.value.requires_grad());
  }
  for (const auto& b : module_.named_buffers(/*recurse=*/true)) {
    auto [holder, name] = holder_of(*this, b.name);
    holder->register_buffer(name, b.value);
  }
  module_.train(is_training());
  const auto& own = parameters();
  if (!own.empty()) dtype_of_ = own.front();
  // One batch before any training: a wrong signature or output fails here, naming the file.
  torch::Tensor out;
  try {
    torch::NoGradGuard no_grad;
    out = energy(torch::zeros({2, options_.dim()}));
  } catch (const std::exception& error) {
    refuse("forward(x) failed on a batch of zeros [2, " + std::to_string(options_.dim()) +
           "]: " + first_line(error.what()));
  }
  if (!at::isFloatingType(out.scalar_type()) || out.dim() != 1 || out.size(0) != 2) {
    refuse("forward(x) must map a batch [N, " + std::to_string(options_.dim()) + "] to N floating energies [N]; on [2, " +
           std::to_string(options_.dim()) + "] it returned " + std::string(c10::toString(out.scalar_type())) + " " +
           c10::str(out.sizes()));
  }
}

torch::Tensor TorchScriptEnergyImpl::energy(const torch::Tensor& x) {
  auto result = module_.forward({dtype_of_.defined() ? x.to(dtype_of_.scalar_type()) : x});
  if (!result.isTensor()) throw std::runtime_error("'" + options_.path() + "': forward(x) returned no tensor");
  return result.toTensor();
}

void TorchScriptEnergyImpl::train(bool on) {
  EnergyModelImpl::train(on);
  module_.train(on);
}

}  // namespace ebm
