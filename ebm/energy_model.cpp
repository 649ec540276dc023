#include "ebm/energy_model.h"

#include <torch/torch.h>

namespace ebm {

const char* domain_name(Domain domain) {
  switch (domain) {
    case Domain::Binary: return "binary";
    case Domain::Continuous: return "continuous";
    case Domain::Discrete: return "discrete";
  }
  return "unknown";
}

torch::Tensor EnergyModelImpl::energy_gradient(const torch::Tensor& x) {
  torch::AutoGradMode enable(true);
  auto input = x.detach().requires_grad_(true);
  return torch::autograd::grad({energy(input).sum()}, {input})[0].detach();
}

std::optional<torch::Tensor> EnergyModelImpl::unit_states() const {
  if (domain() != Domain::Binary) return std::nullopt;
  return torch::tensor({0.0, 1.0}).unsqueeze(1);
}

std::vector<torch::Tensor> EnergyModelImpl::energies(const std::vector<torch::Tensor>& batches) {
  std::vector<torch::Tensor> out;
  for (const auto& batch : batches) out.push_back(energy(batch));
  return out;
}

std::string second_derivative_problem(EnergyModelImpl& model) {
  torch::AutoGradMode enable(true);
  // In evaluation mode, so that the check moves no state (a spectrally normalised MLP's power
  // iteration runs in training mode); restored after.
  const bool training = model.is_training();
  model.eval();
  const auto& parameters = model.parameters();
  // Fixed rows, not random ones: building an experiment draws nothing from its generator.
  const auto options = parameters.empty() ? torch::TensorOptions() : parameters.front().options();
  auto x = (torch::arange(2 * model.dim(), options).view({2, model.dim()}) * 0.1 - 0.3).requires_grad_(true);
  try {
    auto g = torch::autograd::grad({model.energy(x).sum()}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    std::vector<torch::Tensor> wrt = {x};
    for (const auto& p : parameters) {
      if (p.requires_grad()) wrt.push_back(p);
    }
    torch::autograd::grad({g.pow(2).sum()}, wrt, {}, /*retain_graph=*/false, /*create_graph=*/false, /*allow_unused=*/true);
  } catch (const std::exception& error) {
    model.train(training);
    const std::string message = error.what();
    return message.substr(0, message.find('\n'));
  }
  model.train(training);
  return "";
}

}  // namespace ebm
