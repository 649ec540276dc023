// Gaussian-Bernoulli restricted Boltzmann machine with learnt per-unit variances, in the form of
// Cho, Ilin & Raiko (2011), "Improved learning of Gaussian-Bernoulli RBMs", ICANN:
//   E(v, h) = Σ_i (v_i - b_i)² / (2 σ_i²) - Σ_ij v_i W_ij h_j / σ_i² - c^T h,   v ∈ R^V, h ∈ {0,1}^H
//   p(h_j = 1 | v) = sigmoid(c_j + Σ_i W_ij v_i / σ_i²),   p(v_i | h) = N(b_i + (W h)_i, σ_i²)
//   F(v) = Σ_i (v_i - b_i)² / (2 σ_i²) - Σ_j softplus(c_j + Σ_i W_ij v_i / σ_i²)
//   F(h) = -c^T h - Σ_i [(b_i + (W h)_i)² - b_i²] / (2 σ_i²) - Σ_i log(√(2π) σ_i)
// (the visible integral in closed form), so log Z = logsumexp_h(-F(h)) is exact by enumerating
// the hidden layer. σ_i² = exp(z_i) with z ("log_variance") trained. At inverse temperature β
// the hidden sigmoid's argument is multiplied by β and p(v | h) has variance σ² / β.
// Parameters: "weight" [V, H], "visible_bias" [V], "hidden_bias" [H], "log_variance" [V].
#pragma once

#include <torch/nn/pimpl.h>

#include "ebm/latent_variable_model.h"

namespace ebm {

struct GaussianBernoulliRBMOptions {
  GaussianBernoulliRBMOptions(int64_t visible, int64_t hidden) : visible_(visible), hidden_(hidden) {}
  TORCH_ARG(int64_t, visible);
  TORCH_ARG(int64_t, hidden);
  TORCH_ARG(double, init_std) = 0.01;
  TORCH_ARG(bool, learn_variance) = true;
};

class GaussianBernoulliRBMImpl : public LatentVariableModel {
 public:
  explicit GaussianBernoulliRBMImpl(const GaussianBernoulliRBMOptions& options);

  torch::Tensor energy(const torch::Tensor& v) override;  // free energy F(v)
  int64_t dim() const override { return options_.visible(); }
  Domain domain() const override { return Domain::Continuous; }
  std::string type_name() const override { return "gaussian_bernoulli_rbm"; }

  int64_t num_hidden() const override { return options_.hidden(); }
  torch::Tensor joint_energy(const torch::Tensor& v, const torch::Tensor& h) override;
  torch::Tensor hidden_mean(const torch::Tensor& v) override;
  torch::Tensor sample_hidden(const torch::Tensor& v) override;
  torch::Tensor visible_mean(const torch::Tensor& h) override;
  torch::Tensor sample_visible(const torch::Tensor& h) override;
  torch::Tensor hidden_free_energy(const torch::Tensor& h) override;
  torch::Tensor sample_hidden_tempered(const torch::Tensor& v, const torch::Tensor& beta) override;
  torch::Tensor sample_visible_tempered(const torch::Tensor& h, const torch::Tensor& beta) override;
  std::unique_ptr<AnnealingPath> annealing_path(const torch::Tensor& base_data) override;

  // Visible biases at the data mean and variances at the data's (Cho et al. 2011, section 4).
  void init_from(const torch::Tensor& data);
  torch::Tensor variance(torch::Dtype dtype) const;  // σ² [V]

  const GaussianBernoulliRBMOptions& options() const { return options_; }
  torch::Tensor weight, visible_bias, hidden_bias, log_variance;

 private:
  GaussianBernoulliRBMOptions options_;
};

TORCH_MODULE(GaussianBernoulliRBM);

}  // namespace ebm
