#include "ebm/layers/linear_layer.h"

#include <torch/torch.h>

namespace ebm {

LinearLayerImpl::LinearLayerImpl(std::vector<int64_t> shape) : field(register_parameter("field", torch::zeros(shape))) {}

torch::Tensor LinearLayerImpl::energy(const torch::Tensor& x) const { return -x.matmul(field.to(x.dtype()).flatten()); }

}  // namespace ebm
