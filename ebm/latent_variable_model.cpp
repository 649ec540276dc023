#include "ebm/latent_variable_model.h"

#include <torch/torch.h>

namespace ebm {

std::optional<torch::Tensor> LatentVariableModel::hidden_unit_states() const { return torch::tensor({0.0, 1.0}).unsqueeze(1); }

}  // namespace ebm
