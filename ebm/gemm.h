// Dense products of the RBM family, with at::addmm's meaning:
//   addmm(bias, a, b, alpha) = bias + alpha a b   (bias of shape (n,) broadcast over the rows)
//   mm(a, b, alpha)          = alpha a b
//   addmm_(c, a, b, alpha)     c += alpha a b, in place
// On CPU in float32, where no operand needs a gradient (or grad mode is off), the product runs on
// oneDNN's sgemm (dnnl_sgemm, row-major C = alpha op(A) op(B) + beta C; the oneDNN library that
// LibTorch itself links), whose JIT kernels took 25-30% less time than OpenBLAS at the RBM's
// shapes here (docs/PERFORMANCE.md). Transposed operands are passed as such, never copied.
// Everywhere else (other devices and dtypes, autograd, a build without oneDNN) these are
// at::addmm, at::mm and Tensor::addmm_.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace ebm {

at::Tensor addmm(const at::Tensor& bias, const at::Tensor& a, const at::Tensor& b, double alpha = 1.0);
at::Tensor mm(const at::Tensor& a, const at::Tensor& b, double alpha = 1.0);
at::Tensor& addmm_(at::Tensor& c, const at::Tensor& a, const at::Tensor& b, double alpha = 1.0);

// What runs the float32 CPU products above in this build, for benchmark reports:
// "oneDNN 2.6.3 sgemm" or "LibTorch's BLAS".
std::string float32_cpu_gemm();

}  // namespace ebm
