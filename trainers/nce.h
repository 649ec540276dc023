// Noise-contrastive estimation (Gutmann & Hyvärinen 2010): logistic regression between data x
// and ν noise samples y ~ q per data point, with the model log p_m(u) = -E(u) - c and the
// log-normaliser c learnt beside the energy:
//   G(u) = -E(u) - c - log ν - log q(u),
//   L = E_x softplus(-G(x)) + ν E_y softplus(G(y)).
// At the optimum p_m equals the data density, so c estimates log Z of exp(-E); it is logged as
// nce_log_z, beside grid_log_z where the grid evaluator runs.
#pragma once

#include <memory>

#include "ebm/gaussian.h"
#include "trainers/objective.h"

namespace ebm::trainers {

struct NCEOptions {
  TORCH_ARG(double, noise_ratio) = 1;  // ν
};

class NoiseContrastiveEstimation : public Objective {
 public:
  NoiseContrastiveEstimation(std::shared_ptr<AnalyticDensity> noise, NCEOptions options = {});
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override;  // nce_data, nce_noise, nce_log_z
  void check_model(const EnergyModelImpl& model) const override;
  std::vector<torch::Tensor> parameters() override { return {log_normaliser_}; }
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  std::string name() const override { return "nce"; }
  double log_normaliser() const { return log_normaliser_.item<double>(); }

 private:
  std::shared_ptr<AnalyticDensity> noise_;
  NCEOptions options_;
  torch::Tensor log_normaliser_;  // c
};

}  // namespace ebm::trainers
