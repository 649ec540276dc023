#include "ebm/energy_model.h"

#include <torch/torch.h>

namespace ebm {

torch::Tensor EnergyModelImpl::energy_gradient(const torch::Tensor& x) {
  torch::AutoGradMode enable(true);
  auto input = x.detach().requires_grad_(true);
  return torch::autograd::grad({energy(input).sum()}, {input})[0].detach();
}

}  // namespace ebm
