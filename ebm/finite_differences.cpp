#include "ebm/finite_differences.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm {

torch::Tensor central_differences(torch::Tensor x, const std::function<torch::Tensor()>& f, double h) {
  if (!(h > 0)) throw std::invalid_argument("central differences need a positive step");
  if (!x.is_contiguous()) throw std::invalid_argument("central differences move x in place: it must be contiguous");
  auto flat = x.view(-1);
  auto evaluate = [&] { return f().detach().to(torch::kFloat64).reshape(-1); };
  torch::Tensor jacobian;
  for (int64_t i = 0; i < flat.numel(); ++i) {
    torch::Tensor up, down;
    const auto saved = flat[i].clone();
    {
      torch::NoGradGuard no_grad;
      flat[i].add_(h);
    }
    up = evaluate();
    {
      torch::NoGradGuard no_grad;
      flat[i].copy_(saved).sub_(h);
    }
    down = evaluate();
    {
      torch::NoGradGuard no_grad;
      flat[i].copy_(saved);
    }
    if (!jacobian.defined()) jacobian = torch::empty({up.numel(), flat.numel()}, up.options());
    jacobian.select(1, i).copy_((up - down) / (2 * h));
  }
  return jacobian;
}

}  // namespace ebm
