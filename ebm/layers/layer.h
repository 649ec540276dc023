// A layer of units of one kind, the part of an RBM that sampling, free energies and AIS follow
// from (as RestrictedBoltzmannMachines.jl builds its RBMs; Tubiana & Monasson 2017 for ReLU and
// dReLU units). Unit n has a potential E_n(x_n) and a statistic s_n(x_n) that the weights couple
// (the state itself, but x / sigma^2 for Gaussian units in Cho's form, scaled_gaussian_layer.h;
// always a scale of the state), and receives an input I_n from the other layer; at inverse
// temperature beta its law given the input is
//   p(x_n | I_n) = exp(beta (I_n s_n(x_n) - E_n(x_n)) - Gamma_n(I_n)),
//   Gamma_n(I) = log sum_x (or integral) exp(beta (I s_n(x) - E_n(x)))   (the cumulant generating function),
// so an RBM with weights W has the free energy F(v) = E_v(v) - sum_m Gamma_m((W^T s(v))_m) and its
// block conditionals are its layers' laws. A state is a row of width() columns: one per unit, or
// q per unit for one-hot (Potts) units, whose input is then a vector of q. beta is a tensor: a
// scalar, one per row (parallel tempering's replicas), or undefined for 1.
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <optional>
#include <string>

#include "ebm/energy_model.h"

namespace ebm {

class LayerImpl;
using LayerPtr = std::shared_ptr<LayerImpl>;

class LayerImpl : public torch::nn::Module {
 public:
  virtual int64_t units() const = 0;
  // Columns of a state: units() x q for one-hot units, else units().
  virtual int64_t width() const { return units(); }
  // sum_n E_n(x_n) of states [B, width()] -> [B].
  virtual torch::Tensor energy(const torch::Tensor& x) const = 0;
  // s(x) of states [B, width()], what the weights couple.
  virtual torch::Tensor statistic(const torch::Tensor& x) const { return x; }
  // E(x) and s(x) of the same states in one call, what they share computed once (a scaled
  // Gaussian layer's sigma^2: one node, so the gradients of both meet before its backward).
  struct EnergyAndStatistic {
    torch::Tensor energy, statistic;
  };
  virtual EnergyAndStatistic energy_and_statistic(const torch::Tensor& x) const { return {energy(x), statistic(x)}; }
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
  // What a row of its states is, for the samplers and evaluators that read a model's domain:
  // Binary ({0, 1} columns), Discrete (finitely many states of another kind: spins, one-hot) or
  // Continuous.
  virtual Domain domain() const = 0;
  // Empty when every row of x [B, width()] is a state of this layer, else what is wrong with the
  // first row that is not (for users' data).
  virtual std::string invalid_state(const torch::Tensor& x) const = 0;

  // A layer of the same type and sizes with its starting parameters.
  virtual LayerPtr blank() const = 0;
  // The layer of this type whose units are independent with the marginals of `data` [N, width()]
  // (the maximum-likelihood fit where it is closed-form, else blank()); blank() when `data` is
  // empty or undefined. The base model of annealed importance sampling.
  virtual LayerPtr independent_fit(const torch::Tensor& data) const = 0;
  // The layer whose potential is (1 - beta) E_base + beta E_this and whose statistic is this
  // one's, in double precision (base of this type and sizes): most potentials here are linear in
  // their fields and precisions, so this interpolates them. The path of annealed importance
  // sampling between two RBMs.
  virtual LayerPtr interpolated(const LayerImpl& base, double beta) const = 0;
  // Adds `delta` [width()] to the input's coupling: E(x) -> E(x) - delta . s(x), up to a constant
  // (a centred RBM's offsets move this way without changing its distribution).
  virtual void shift_field(const torch::Tensor& delta) = 0;
};

// "row R <what>" for the first row marked in `bad` [B] (counted from 1), or empty when none is:
// the message of invalid_state.
std::string first_bad_row(const torch::Tensor& bad, const std::string& what);
// The message of invalid_state for units on the real line: the first row with a value that is not finite.
std::string first_non_finite_row(const torch::Tensor& x);
// Whether `data` has rows to fit (independent_fit's data).
inline bool has_rows(const torch::Tensor& data) { return data.defined() && data.numel() > 0; }

// The inverse temperature as a factor of tensors [B, ...] like `like`: 1 when `beta` is undefined,
// a scalar, or one per row ([B], viewed as [B, 1, ...] with `trailing` ones), in like's dtype.
torch::Tensor inverse_temperature(const torch::Tensor& beta, const torch::Tensor& like, int64_t trailing = 1);

}  // namespace ebm
