// ebm/gemm.h's products against the same products in double, for every operand layout the
// oneDNN path passes without a copy (row-major, transposed, with a wider leading dimension) and
// for those it copies; and the cases that must stay LibTorch's (double, autograd, empty).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "ebm/gemm.h"

namespace ebm {
namespace {

// A (rows x cols) float32 matrix in one of the layouts an operand may arrive in.
torch::Tensor in_layout(const std::string& layout, int64_t rows, int64_t cols) {
  if (layout == "row-major") return torch::randn({rows, cols});
  if (layout == "wide row-major") return torch::randn({rows, cols + 3}).narrow(1, 1, cols);      // ld = cols + 3
  if (layout == "transposed") return torch::randn({cols, rows}).t();
  if (layout == "wide transposed") return torch::randn({cols, rows + 2}).narrow(1, 0, rows).t();  // ld = rows + 2
  return torch::randn({rows, 2 * cols}).slice(1, 0, 2 * cols, 2);  // every other column: copied
}

const std::vector<std::string> kLayouts = {"row-major", "wide row-major", "transposed", "wide transposed", "strided"};

void expect_near_double(const torch::Tensor& got, const torch::Tensor& exact, const std::string& what) {
  ASSERT_EQ(got.sizes(), exact.sizes()) << what;
  EXPECT_EQ(got.scalar_type(), torch::kFloat32) << what;
  const double error = (got.to(torch::kFloat64) - exact).abs().max().item<double>();
  EXPECT_LT(error, 1e-4) << what;  // float32 sums of at most 64 products of N(0, 1) numbers
}

TEST(Gemm, ProductsAgreeWithDoubleForEveryOperandLayout) {
  torch::manual_seed(3);
  torch::NoGradGuard no_grad;
  const std::vector<std::vector<int64_t>> shapes = {{7, 13, 5}, {1, 9, 4}, {6, 1, 3}, {5, 8, 1}, {64, 33, 17}};
  for (const auto& shape : shapes) {
    const int64_t m = shape[0], k = shape[1], n = shape[2];
    for (const auto& layout_a : kLayouts) {
      for (const auto& layout_b : kLayouts) {
        const std::string what = std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) + ", a " +
                                 layout_a + ", b " + layout_b;
        const auto a = in_layout(layout_a, m, k), b = in_layout(layout_b, k, n), bias = torch::randn({n});
        const auto a64 = a.to(torch::kFloat64), b64 = b.to(torch::kFloat64);
        expect_near_double(ebm::mm(a, b), a64.mm(b64), "mm, " + what);
        expect_near_double(ebm::mm(a, b, 1.5), 1.5 * a64.mm(b64), "mm with alpha, " + what);
        expect_near_double(ebm::addmm(bias, a, b, 0.5), bias.to(torch::kFloat64) + 0.5 * a64.mm(b64), "addmm, " + what);
        // c += -2 a b into a view with a wider leading dimension: the columns outside it stay as they were.
        auto storage = torch::randn({m, n + 2});
        const auto before = storage.clone();
        auto c = storage.narrow(1, 1, n);
        ebm::addmm_(c, a, b, -2.0);
        expect_near_double(c, before.narrow(1, 1, n).to(torch::kFloat64) - 2.0 * a64.mm(b64), "addmm_, " + what);
        EXPECT_TRUE(storage.narrow(1, 0, 1).equal(before.narrow(1, 0, 1))) << what;
        EXPECT_TRUE(storage.narrow(1, n + 1, 1).equal(before.narrow(1, n + 1, 1))) << what;
      }
    }
  }
}

TEST(Gemm, AccumulatingInPlaceAdvancesTheVersionCounter) {
  // Readers keyed by a tensor's version (the RBM's hidden memo, autograd's saved tensors) must
  // see a write made through the data pointer.
  torch::NoGradGuard no_grad;
  auto c = torch::zeros({3, 4});
  const auto version = c._version();
  ebm::addmm_(c, torch::ones({3, 2}), torch::ones({2, 4}));
  EXPECT_GT(c._version(), version);
  EXPECT_TRUE(c.equal(torch::full({3, 4}, 2.0f)));
}

TEST(Gemm, DoubleAndTrackedOperandsAreLibTorchsOwnProducts) {
  torch::manual_seed(4);
  const auto a = torch::randn({5, 6}, torch::kFloat64), b = torch::randn({6, 3}, torch::kFloat64);
  const auto bias = torch::randn({3}, torch::kFloat64);
  EXPECT_TRUE(ebm::mm(a, b).equal(at::mm(a, b)));
  EXPECT_TRUE(ebm::addmm(bias, a, b, 0.25).equal(at::addmm(bias, a, b, 1, 0.25)));

  // Under autograd the product keeps its graph: the gradient is the exact one, dL/dW = a^T 1.
  auto w = torch::randn({6, 3}, torch::requires_grad());
  const auto x = torch::randn({5, 6});
  auto y = ebm::addmm(torch::zeros({3}), x, w);
  ASSERT_TRUE(y.requires_grad());
  y.sum().backward();
  EXPECT_TRUE(torch::allclose(w.grad(), x.t().mm(torch::ones({5, 3})), 1e-5, 1e-5));

  // Empty and mismatched shapes behave as LibTorch's do.
  EXPECT_EQ(ebm::mm(torch::zeros({0, 4}), torch::zeros({4, 3})).sizes(), (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(ebm::mm(torch::ones({2, 0}), torch::ones({0, 3})).equal(torch::zeros({2, 3})));
  EXPECT_THROW(ebm::mm(torch::ones({2, 3}), torch::ones({4, 5})), c10::Error);
}

}  // namespace
}  // namespace ebm
