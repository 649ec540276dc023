#include "ebm/energy_model.h"

#include <torch/torch.h>

namespace ebm {

torch::Tensor EnergyModelImpl::energy_gradient(const torch::Tensor& x) {
  torch::AutoGradMode enable(true);
  auto input = x.detach().requires_grad_(true);
  return torch::autograd::grad({energy(input).sum()}, {input})[0].detach();
}

std::vector<torch::Tensor> EnergyModelImpl::energies(const std::vector<torch::Tensor>& batches) {
  std::vector<torch::Tensor> out;
  for (const auto& batch : batches) out.push_back(energy(batch));
  return out;
}

}  // namespace ebm
