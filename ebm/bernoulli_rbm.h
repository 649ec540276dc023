// Bernoulli-Bernoulli restricted Boltzmann machine (Smolensky 1986; Hinton 2002):
//   E(v, h) = -v^T W h - b^T v - c^T h,       v in {0,1}^V, h in {0,1}^H
//   F(v)    = -b^T v - sum_j softplus(c_j + (v^T W)_j)
//   F(h)    = -c^T h - sum_i softplus(b_i + (W h)_i)
//   p(h_j = 1 | v) = sigmoid(c_j + (v^T W)_j),  p(v_i = 1 | h) = sigmoid(b_i + (W h)_i);
//   at inverse temperature β the arguments of both sigmoids are multiplied by β.
// Parameters: "weight" [V, H], "visible_bias" [V], "hidden_bias" [H]. Every method computes in
// the dtype of its input, so exact evaluation can run in double on a float model.
// The RBM remembers c + v W of its last input: CD-1 starts its Gibbs chain at the data batch
// and then evaluates F(data), and the memo saves that second v W product (a fifth of a CD-1
// step). energies({data, samples}) is one autograd node
// whose weight gradient -v+^T s+ g+ - v-^T s- g- accumulates in one product buffer: with two
// energy() nodes autograd adds two V x H gradients, which cost as much as a sixth of a CD-1 step.
//
// Centred (Melchior, Fischer & Wiskott 2016, "How to center deep Boltzmann machines", JMLR 17):
//   E(v, h) = -(v - μ)^T W (h - λ) - b^T v - c^T h   (up to a constant: the plain RBM above
//   with biases b - W λ and c - W^T μ), with offsets μ = the data mean and λ a running mean of
//   p(h | data), λ <- (1 - ν) λ + ν mean p(h | batch) after each update, b += W Δλ so the
//   distribution is unchanged by the move. Differentiating F in this parametrisation gives the
//   centred gradient <(v - μ)(h - λ)^T>_data - <(v - μ)(h - λ)^T>_model, which is better
//   conditioned and does not depend on flipping the data (1 - v).
#pragma once

#include <torch/nn/pimpl.h>

#include "ebm/latent_variable_model.h"

namespace ebm {

struct BernoulliRBMOptions {
  BernoulliRBMOptions(int64_t visible, int64_t hidden) : visible_(visible), hidden_(hidden) {}
  TORCH_ARG(int64_t, visible);
  TORCH_ARG(int64_t, hidden);
  // Weights start as N(0, init_std^2) (Hinton 2010, "A practical guide to training RBMs").
  TORCH_ARG(double, init_std) = 0.01;
  // Centred parametrisation with offsets μ (visible, set by set_visible_offset) and λ (hidden,
  // from 0.5, moved by after_update at rate offset_rate).
  TORCH_ARG(bool, centered) = false;
  TORCH_ARG(double, offset_rate) = 0.01;
};

class BernoulliRBMImpl : public LatentVariableModel {
 public:
  explicit BernoulliRBMImpl(const BernoulliRBMOptions& options);

  torch::Tensor energy(const torch::Tensor& v) override;  // free energy F(v)
  std::vector<torch::Tensor> energies(const std::vector<torch::Tensor>& batches) override;
  int64_t dim() const override { return options_.visible(); }
  Domain domain() const override { return Domain::Binary; }
  std::string type_name() const override { return "bernoulli_rbm"; }

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

  // Sets b_i = log(p_i / (1 - p_i)) from the data's marginals p (Hinton 2010, section 8).
  void init_visible_bias_from(const torch::Tensor& data);
  // Centred models: μ = the data mean.
  void set_visible_offset(const torch::Tensor& data);
  // Centred models: moves λ towards mean p(h | batch), keeping the distribution.
  void after_update(const torch::Tensor& data_batch) override;

  // The biases of the equivalent plain RBM (b - W λ, c - W^T μ when centred; b, c otherwise) in
  // `dtype`, differentiable in the parameters: what AIS and export read.
  struct Biases {
    torch::Tensor visible, hidden;
  };
  Biases plain_biases(torch::Dtype dtype) const;

  const BernoulliRBMOptions& options() const { return options_; }
  torch::Tensor weight, visible_bias, hidden_bias;
  torch::Tensor visible_offset, hidden_offset;  // μ, λ: buffers of centred models only

 private:
  BernoulliRBMOptions options_;
  // c + v W and p(h | v) for the last input, valid while that tensor and the parameters are
  // unchanged (same tensor, versions, storage; after_update clears it).
  struct HiddenMemo {
    torch::Tensor input, pre, mean;
    int64_t input_version = -1, weight_version = -1, bias_version = -1;
    const void* weight_data = nullptr;
  };
  HiddenMemo memo_;
  bool memo_matches(const torch::Tensor& v) const;
  void remember(const torch::Tensor& v, const torch::Tensor& pre, const torch::Tensor& mean);
};

TORCH_MODULE(BernoulliRBM);

}  // namespace ebm
