// A layer of units of one kind, the part of an RBM that sampling, free energies and AIS follow
// from (as RestrictedBoltzmannMachines.jl builds its RBMs; Tubiana & Monasson 2017 for ReLU and
// dReLU units). Unit n has a potential E_n(x_n) and receives an input I_n from the other layer;
// at inverse temperature beta its law given the input is
//   p(x_n | I_n) = exp(beta (I_n x_n - E_n(x_n)) - Gamma_n(I_n)),
//   Gamma_n(I) = log sum_x (or integral) exp(beta (I x - E_n(x)))   (the cumulant generating function),
// so an RBM with weights W has the free energy F(v) = E_v(v) - sum_m Gamma_m((W^T v)_m) and its
// block conditionals are its layers' laws. A state is a row of width() columns: one per unit, or
// q per unit for one-hot (Potts) units, whose input is then a vector of q. beta is a tensor: a
// scalar, one per row (parallel tempering's replicas), or undefined for 1.
#pragma once

#include <torch/nn/module.h>

#include <optional>
#include <string>

namespace ebm {

class LayerImpl : public torch::nn::Module {
 public:
  virtual int64_t units() const = 0;
  // Columns of a state: units() x q for one-hot units, else units().
  virtual int64_t width() const { return units(); }
  // sum_n E_n(x_n) of states [B, width()] -> [B].
  virtual torch::Tensor energy(const torch::Tensor& x) const = 0;
  // sum_n Gamma_n(I_n) of inputs [B, width()] -> [B]; differentiable in the inputs and parameters.
  virtual torch::Tensor cgf(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const = 0;
  // Draws of the units given their inputs, and the law's mean and variance, each [B, width()].
  virtual torch::Tensor sample(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const = 0;
  virtual torch::Tensor mean(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const = 0;
  virtual torch::Tensor variance(const torch::Tensor& inputs, const torch::Tensor& beta = {}) const = 0;
  // The states of one unit when it has finitely many, [S, width() / units()]; none when continuous.
  virtual std::optional<torch::Tensor> unit_states() const { return std::nullopt; }
  // The registry's name ("binary", "potts", ...).
  virtual std::string type_name() const = 0;
};

using LayerPtr = std::shared_ptr<LayerImpl>;

// The inverse temperature as a factor of tensors [B, ...] like `like`: 1 when `beta` is undefined,
// a scalar, or one per row ([B], viewed as [B, 1, ...] with `trailing` ones), in like's dtype.
torch::Tensor inverse_temperature(const torch::Tensor& beta, const torch::Tensor& like, int64_t trailing = 1);

}  // namespace ebm
