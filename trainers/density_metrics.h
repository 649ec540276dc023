// Evaluators for 2-D continuous models, whose normaliser and samples are exact up to a grid
// (ebm/grid_quadrature.h), scored on held-out data:
//   grid_ll        mean_x [-E(x)] - log Z_grid                            (GridLogLikelihood)
//   true_ll        mean_x log p_true(x) under the data's known density    (TrueLogLikelihood)
//   mode_coverage  the fraction of a mixture's K modes that receive at least a quarter of their
//                  fair share n / (4K) of n model samples; a sample counts for its nearest mode
//                  when within 3 component stds of it. off_mode is the share counted for none:
//                  model mass where the data has none (spurious modes)          (ModeCoverage)
//   mmd2           unbiased squared maximum mean discrepancy (Gretton et al. 2012) with the RBF
//                  kernel k(a, b) = exp(-|a - b|² / (2 s²)) between n model samples and the
//                  held-out data; s defaults to the median distance within the data (MMD)
// Model samples are exact draws from the gridded density, not MCMC, so they measure the model
// rather than a sampler.
#pragma once

#include <memory>

#include "ebm/gaussian.h"
#include "ebm/grid_quadrature.h"
#include "trainers/evaluator.h"

namespace ebm::trainers {

class GridLogLikelihood : public Evaluator {
 public:
  explicit GridLogLikelihood(QuadratureGrid grid) : grid_(grid) {}
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;  // grid_ll, grid_log_z
  std::string primary_metric() const override { return "grid_ll"; }

 private:
  QuadratureGrid grid_;
};

class TrueLogLikelihood : public Evaluator {
 public:
  explicit TrueLogLikelihood(std::shared_ptr<AnalyticDensity> truth) : truth_(std::move(truth)) {}
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;  // true_ll
  std::string primary_metric() const override { return "true_ll"; }

 private:
  std::shared_ptr<AnalyticDensity> truth_;
};

class ModeCoverage : public Evaluator {
 public:
  // `modes` [K, 2], `mode_std` the components' std.
  ModeCoverage(torch::Tensor modes, double mode_std, QuadratureGrid grid, int64_t samples);
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;  // mode_coverage, off_mode
  std::string primary_metric() const override { return "mode_coverage"; }

 private:
  torch::Tensor modes_;
  double mode_std_;
  QuadratureGrid grid_;
  int64_t samples_;
};

class MMD : public Evaluator {
 public:
  // `bandwidth` s; 0 = the median pairwise distance of the data being compared against.
  MMD(QuadratureGrid grid, int64_t samples, double bandwidth = 0);
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;  // mmd2
  std::string primary_metric() const override { return "mmd2"; }
  bool higher_is_better() const override { return false; }

 private:
  QuadratureGrid grid_;
  int64_t samples_;
  double bandwidth_;
};

// Unbiased MMD² between samples x [n, D] and y [m, D] with the RBF kernel of bandwidth s.
double mmd2_unbiased(const torch::Tensor& x, const torch::Tensor& y, double bandwidth);

}  // namespace ebm::trainers
