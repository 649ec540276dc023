// Central finite differences, the reference every analytic gradient here is checked against:
//   ∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h),
// with truncation error (h²/6) ∂³f/∂x_i³ and rounding error about ε|f|/h (ε the dtype's machine
// epsilon), so in float64 h = 1e-6 leaves about 1e-10 relative. f is evaluated with one element
// of x moved in place under no_grad and restored exactly afterwards.
#pragma once

#include <torch/types.h>

#include <functional>

namespace ebm {

// The Jacobian of f at x by central differences, float64 [f().numel(), x.numel()] (for a scalar
// f, [1, x.numel()]): column i holds the differences for x's element i (x is contiguous and
// moved in place, so a parameter of a model may be passed; f reads it).
torch::Tensor central_differences(torch::Tensor x, const std::function<torch::Tensor()>& f, double h);

}  // namespace ebm
