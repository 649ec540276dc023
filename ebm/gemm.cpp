#include "ebm/gemm.h"

#include <c10/core/GradMode.h>

#include <initializer_list>

#ifdef EBM_WITH_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

namespace ebm {

namespace {

#ifdef EBM_WITH_ONEDNN
constexpr bool kOneDnn = true;

// A matrix as sgemm reads it: row-major ('N') or the transpose of a row-major one ('T').
struct Operand {
  at::Tensor data;  // keeps a contiguous copy alive where one was needed
  char trans;
  int64_t ld;
};

Operand operand(const at::Tensor& x) {
  const int64_t rows = x.size(0), cols = x.size(1);
  if (x.stride(1) == 1 && (rows == 1 || x.stride(0) >= cols)) return {x, 'N', rows == 1 ? cols : x.stride(0)};
  if (x.stride(0) == 1 && (cols == 1 || x.stride(1) >= rows)) return {x, 'T', cols == 1 ? rows : x.stride(1)};
  return {x.contiguous(), 'N', cols};
}

// c = alpha a b + beta c, c row-major.
void sgemm(const at::Tensor& a, const at::Tensor& b, float alpha, float beta, at::Tensor& c) {
  const auto A = operand(a), B = operand(b);
  const int64_t m = a.size(0), n = b.size(1), k = a.size(1);
  const dnnl_status_t status =
      dnnl_sgemm(A.trans, B.trans, m, n, k, alpha, A.data.data_ptr<float>(), A.ld, B.data.data_ptr<float>(), B.ld,
                 beta, c.data_ptr<float>(), m == 1 ? n : c.stride(0));
  TORCH_CHECK(status == dnnl_success, "oneDNN sgemm failed (status ", static_cast<int>(status), ") on ", m, "x", k,
              " by ", k, "x", n);
}
#else
constexpr bool kOneDnn = false;

void sgemm(const at::Tensor&, const at::Tensor&, float, float, at::Tensor&) {
  TORCH_CHECK(false, "ebm/gemm.cpp: built without oneDNN");  // on_onednn is false in this build
}
#endif

// Whether a product of these operands runs on oneDNN: float32 on CPU, none empty or sparse,
// and no graph to record.
bool on_onednn(std::initializer_list<const at::Tensor*> operands) {
  if (!kOneDnn) return false;
  const bool tracked = c10::GradMode::is_enabled();
  for (const at::Tensor* t : operands) {
    if (!t->defined()) continue;
    if (!t->device().is_cpu() || t->scalar_type() != at::kFloat || t->numel() == 0 || t->is_sparse()) return false;
    if (tracked && t->requires_grad()) return false;
  }
  return true;
}

bool product_shapes(const at::Tensor& a, const at::Tensor& b) {
  return a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0);
}

}  // namespace

std::string float32_cpu_gemm() {
#ifdef EBM_WITH_ONEDNN
  const dnnl_version_t* version = dnnl_version();
  return "oneDNN " + std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
         std::to_string(version->patch) + " sgemm";
#else
  return "LibTorch's BLAS";
#endif
}

at::Tensor addmm(const at::Tensor& bias, const at::Tensor& a, const at::Tensor& b, double alpha) {
  if (!on_onednn({&bias, &a, &b}) || !product_shapes(a, b) || bias.dim() != 1 || bias.size(0) != b.size(1)) {
    return at::addmm(bias, a, b, 1, alpha);
  }
  at::Tensor out = bias.expand({a.size(0), b.size(1)}).contiguous();
  sgemm(a, b, static_cast<float>(alpha), 1.0f, out);
  return out;
}

at::Tensor mm(const at::Tensor& a, const at::Tensor& b, double alpha) {
  if (!on_onednn({&a, &b}) || !product_shapes(a, b)) return alpha == 1.0 ? at::mm(a, b) : at::mm(a, b).mul_(alpha);
  at::Tensor out = at::empty({a.size(0), b.size(1)}, a.options());
  sgemm(a, b, static_cast<float>(alpha), 0.0f, out);
  return out;
}

at::Tensor& addmm_(at::Tensor& c, const at::Tensor& a, const at::Tensor& b, double alpha) {
  const bool row_major = c.dim() == 2 && c.stride(1) == 1 && (c.size(0) == 1 || c.stride(0) >= c.size(1));
  if (!on_onednn({&c, &a, &b}) || !product_shapes(a, b) || !row_major || c.size(0) != a.size(0) ||
      c.size(1) != b.size(1)) {
    return c.addmm_(a, b, 1, alpha);
  }
  sgemm(a, b, static_cast<float>(alpha), 1.0f, c);
  c.unsafeGetTensorImpl()->bump_version();  // written through its pointer: readers keyed by version see it
  return c;
}

}  // namespace ebm
