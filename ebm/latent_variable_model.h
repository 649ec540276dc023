// A latent-variable energy E(v, h) whose two conditionals p(h|v) and p(v|h) are tractable
// (restricted Boltzmann machines, Smolensky 1986; Hinton 2002). The free energy over the
// hidden layer F(h) = -log sum_v exp(-E(v, h)) lets exact enumeration run over the smaller layer.
#pragma once

#include "ebm/energy_model.h"

namespace ebm {

class LatentVariableModel : public EnergyModelImpl {
 public:
  virtual int64_t num_hidden() const = 0;
  // E(v, h) per example.
  virtual torch::Tensor joint_energy(const torch::Tensor& v, const torch::Tensor& h) = 0;
  // Mean of p(h | v) and a sample from it.
  virtual torch::Tensor hidden_mean(const torch::Tensor& v) = 0;
  virtual torch::Tensor sample_hidden(const torch::Tensor& v) = 0;
  // Mean of p(v | h) and a sample from it.
  virtual torch::Tensor visible_mean(const torch::Tensor& h) = 0;
  virtual torch::Tensor sample_visible(const torch::Tensor& h) = 0;
  // F(h) = -log sum_v exp(-E(v, h)) per example.
  virtual torch::Tensor hidden_free_energy(const torch::Tensor& h) = 0;
  // Samples of the conditionals of the tempered model p_β(v, h) ∝ exp(-β E(v, h)), with one
  // inverse temperature per row in `beta` [B] (parallel tempering runs every replica in one batch).
  virtual torch::Tensor sample_hidden_tempered(const torch::Tensor& v, const torch::Tensor& beta) = 0;
  virtual torch::Tensor sample_visible_tempered(const torch::Tensor& h, const torch::Tensor& beta) = 0;
};

}  // namespace ebm
