// A TorchScript energy made in C++ (torch::jit, no Python needed), saved as a user's
// torch.jit.save would save it: a submodule "layer" with "weight" [H, D] and "bias" [H], and
// "out" [H], "log_curvature" [1] at the top,
//   E(x) = tanh(x W' + b) · out + exp(log_curvature) |x|² / 2,
// all parameters trainable, the file under the temp directory (written once per process, by rename).
#pragma once

#include <torch/csrc/jit/api/module.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace ebm::testing {

inline torch::jit::Module scripted_energy(int64_t dim, int64_t hidden) {
  torch::manual_seed(77);
  torch::jit::Module layer("Layer");
  layer.register_parameter("weight", (0.7 * torch::randn({hidden, dim})).requires_grad_(), false);
  layer.register_parameter("bias", (0.2 * torch::randn({hidden})).requires_grad_(), false);
  layer.define(R"(
def forward(self, x):
    return torch.tanh(torch.matmul(x, self.weight.t()) + self.bias)
)");
  torch::jit::Module energy("Energy");
  energy.register_module("layer", layer);
  energy.register_parameter("out", (0.5 * torch::randn({hidden})).requires_grad_(), false);
  energy.register_parameter("log_curvature", torch::zeros({1}).requires_grad_(), false);
  energy.define(R"(
def forward(self, x):
    return torch.matmul(self.layer.forward(x), self.out) + 0.5 * torch.exp(self.log_curvature) * (x * x).sum(1)
)");
  return energy;
}

inline std::string scripted_energy_file(int64_t dim = 2, int64_t hidden = 8) {
  const auto dir = std::filesystem::temp_directory_path() / "ebm_tests" / "fixtures";
  const auto path = dir / ("scripted_energy_" + std::to_string(dim) + "x" + std::to_string(hidden) + ".pt");
  if (!std::filesystem::exists(path)) {
    std::filesystem::create_directories(dir);
    const auto partial = path.string() + ".partial" + std::to_string(::getpid());
    scripted_energy(dim, hidden).save(partial);
    std::filesystem::rename(partial, path);
  }
  return path.string();
}

}  // namespace ebm::testing
