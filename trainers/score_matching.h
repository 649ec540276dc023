// Score matching objectives for differentiable energies of continuous data, with ψ = -∇x E the
// model's score (Hyvärinen 2005; Vincent 2011; Song, Garg, Shi & Ermon 2019):
//   exact     J = E_data[ ½ |∇x E|² - tr ∇²x E ]                (the trace by one backward pass
//                                                                per dimension);
//   denoising J = Σ_l σ_l² E[ ½ |∇x E(x̃) - (x̃ - x) / σ_l²|² ],  x̃ = x + σ_l ε,
//             which equals exact score matching of the σ-smoothed data up to a constant;
//   sliced    J = E_data E_v[ ½ (vᵀ∇x E)² - vᵀ ∇²x E v ],  or with ½ |∇x E|² in place of
//             ½ (vᵀ∇x E)² (the variance-reduced form, exact for E[v vᵀ] = I), v Gaussian or
//             Rademacher, Hessian-vector products by double backward.
// None needs samples from the model; all refuse binary models.
#pragma once

#include <string>

#include "trainers/objective.h"

namespace ebm::trainers {

class ExactScoreMatching : public Objective {
 public:
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override;  // sm_norm, sm_trace
  std::string name() const override { return "score_matching"; }
};

struct DenoisingScoreMatchingOptions {
  TORCH_ARG(double, noise_std) = 0.1;  // σ_1, the smallest scale
  TORCH_ARG(int64_t, scales) = 1;      // L
  TORCH_ARG(double, scale_ratio) = 2;  // σ_{l+1} / σ_l
};

class DenoisingScoreMatching : public Objective {
 public:
  explicit DenoisingScoreMatching(DenoisingScoreMatchingOptions options = {});
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override;
  std::string name() const override { return "denoising_score_matching"; }

 private:
  DenoisingScoreMatchingOptions options_;
};

struct SlicedScoreMatchingOptions {
  TORCH_ARG(int64_t, projections) = 1;                // v per example
  TORCH_ARG(std::string, distribution) = "gaussian";  // gaussian | rademacher
  TORCH_ARG(bool, variance_reduced) = true;
};

class SlicedScoreMatching : public Objective {
 public:
  explicit SlicedScoreMatching(SlicedScoreMatchingOptions options = {});
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override;  // ssm_norm, ssm_hessian
  std::string name() const override { return "sliced_score_matching"; }

 private:
  SlicedScoreMatchingOptions options_;
};

}  // namespace ebm::trainers
