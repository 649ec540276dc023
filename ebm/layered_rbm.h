// A restricted Boltzmann machine composed of a visible and a hidden layer of units (ebm/layers/)
// and the weights between them, as RestrictedBoltzmannMachines.jl builds every RBM (Tubiana &
// Monasson 2017 for ReLU and dReLU hidden units). With E_v, E_h the layers' potentials, s_v, s_h
// the statistics their units couple (the states, but for scaled Gaussian units) and Gamma_v,
// Gamma_h their cumulant generating functions, writing v, h for s_v(v), s_h(h) in the couplings:
//   E(v, h) = E_v(v) + E_h(h) - (v - mu)^T W (h - lambda) + mu^T W lambda
//           = E_v(v) + E_h(h) - v^T W h + v^T W lambda + mu^T W h,
//   F(v)    = E_v(v) + v^T W lambda - Gamma_h(W^T (v - mu)),
//   F(h)    = E_h(h) + mu^T W h - Gamma_v(W (h - lambda)),
// p(h | v) is the hidden layer's law given the input W^T (v - mu), p(v | h) the visible layer's
// given W (h - lambda), and the tempered model exp(-beta E) has the layers' laws at beta. The
// offsets mu, lambda are 0 unless the RBM is centred (Melchior, Fischer & Wiskott 2016; the
// constant mu^T W lambda makes it the plain RBM of fields shifted by -W lambda and -W^T mu): mu
// the data mean (of s_v), lambda a running mean of E[s_h(h) | data], moved after each update while
// the visible field shifts by W (lambda' - lambda), which keeps the distribution. Differentiating F in this
// parametrisation gives the centred gradient <(v - mu)(h - lambda)^T>_data - <...>_model, better
// conditioned and unchanged when the data are flipped (1 - v). Sampling, free energies,
// exact enumeration of the layer with fewer states (ebm/exact_enumeration.h), tempering, AIS and
// the phase tool follow from the layers: nothing here depends on the kind of unit beyond whether
// its potential is linear (below).
// AIS walks E_beta = (1 - beta)(E_vA(v) + E_hA(h)) + beta E(v, h) from independent layers A (the
// visible layer fitted to the data, the hidden one blank), each tempered layer the interpolation
// of potentials (LayerImpl::interpolated).
// Layers whose potential is linear in the state (binary, spin, Potts: ebm/layers/linear_layer.h)
// have laws that depend on field + input alone, so for them the RBM is the plain RBM with fields
// b = theta_v - W lambda, c = theta_h - W^T mu folded into its matrix products (c + v W in one
// GEMM), and when both layers are linear F(v) = -b.v - Gamma_h(c + v W) has its gradient written
// out: dF/dW = -v^T m, dF/dc = -m, dF/db = -v, dF/dv = -b - m W^T, m = the hidden mean, computed
// once for the value and the backward pass. Such an RBM also remembers c + v W of its last input
// (CD starts its chain at the data batch and then evaluates F(data): the memo saves that product,
// a fifth of a CD-1 step), and energies({data, samples}) is one autograd node whose weight
// gradient accumulates in one product buffer (two V x H gradients added cost a sixth of a step).
// The Bernoulli-Bernoulli RBM (Smolensky 1986; Hinton 2002), E(v, h) = -b.v - c.h - v^T W h, is
// this model with two binary layers (LayeredRBMOptions::bernoulli); the Gaussian-Bernoulli RBM of
// Cho, Ilin & Raiko (2011), E(v, h) = sum (v - b)^2 / (2 sigma^2) - (v / sigma^2)^T W h - c.h, is
// it with scaled Gaussian visible units and binary hidden ones (LayeredRBMOptions::gaussian_bernoulli).
// Parameters: "weight" [visible columns, hidden columns], "visible.*", "hidden.*".
#pragma once

#include <torch/nn/pimpl.h>

#include <map>
#include <string>

#include "ebm/latent_variable_model.h"
#include "ebm/layers/layer.h"
#include "ebm/layers/linear_layer.h"

namespace ebm {

struct LayeredRBMOptions {
  LayeredRBMOptions(LayerPtr visible, LayerPtr hidden) : visible_(std::move(visible)), hidden_(std::move(hidden)) {}
  // The Bernoulli-Bernoulli RBM: two binary layers, named "bernoulli_rbm".
  static LayeredRBMOptions bernoulli(int64_t visible, int64_t hidden);
  // The Gaussian-Bernoulli RBM of Cho, Ilin & Raiko (2011): scaled Gaussian visible units
  // (ebm/layers/scaled_gaussian_layer.h) and binary hidden ones, named "gaussian_bernoulli_rbm".
  static LayeredRBMOptions gaussian_bernoulli(int64_t visible, int64_t hidden, bool learn_variance = true);
  TORCH_ARG(LayerPtr, visible);
  TORCH_ARG(LayerPtr, hidden);
  // Weights start as N(0, init_std^2) (Hinton 2010).
  TORCH_ARG(double, init_std) = 0.01;
  // Centred: offsets mu (set_visible_offset) and lambda (from the hidden layer's mean at input 0,
  // moved by after_update at rate offset_rate).
  TORCH_ARG(bool, centered) = false;
  TORCH_ARG(double, offset_rate) = 0.01;
  // The registry name the model goes by in logs, checkpoints and exports.
  TORCH_ARG(std::string, name) = "rbm";
  // Parameter names that files written by an earlier form of this model use (former -> current):
  // the Bernoulli and Gaussian-Bernoulli RBMs were classes of their own before 2026-12-05.
  using NameMap = std::map<std::string, std::string>;
  TORCH_ARG(NameMap, former_names) = {};
};

class LayeredRBMImpl : public LatentVariableModel {
 public:
  explicit LayeredRBMImpl(const LayeredRBMOptions& options);

  torch::Tensor energy(const torch::Tensor& v) override;  // F(v)
  std::vector<torch::Tensor> energies(const std::vector<torch::Tensor>& batches) override;
  int64_t dim() const override { return visible->width(); }
  Domain domain() const override { return visible->domain(); }
  std::string type_name() const override { return options_.name(); }
  std::map<std::string, std::string> former_parameter_names() const override { return options_.former_names(); }

  int64_t num_hidden() const override { return hidden->units(); }
  std::optional<torch::Tensor> hidden_unit_states() const override { return hidden->unit_states(); }
  std::optional<torch::Tensor> unit_states() const override { return visible->unit_states(); }
  torch::Tensor joint_energy(const torch::Tensor& v, const torch::Tensor& h) override;
  torch::Tensor hidden_mean(const torch::Tensor& v) override;
  torch::Tensor sample_hidden(const torch::Tensor& v) override;
  torch::Tensor visible_mean(const torch::Tensor& h) override;
  torch::Tensor sample_visible(const torch::Tensor& h) override;
  torch::Tensor hidden_free_energy(const torch::Tensor& h) override;
  torch::Tensor sample_hidden_tempered(const torch::Tensor& v, const torch::Tensor& beta) override;
  torch::Tensor sample_visible_tempered(const torch::Tensor& h, const torch::Tensor& beta) override;
  std::unique_ptr<AnnealingPath> annealing_path(const torch::Tensor& base_data) override;

  // The visible layer's parameters from its independent fit to `data` (LayerImpl::independent_fit).
  void init_visible_from(const torch::Tensor& data);
  // Centred models: mu = the data mean.
  void set_visible_offset(const torch::Tensor& data);
  // Centred models: moves lambda towards the mean of p(h | batch), keeping the distribution.
  void after_update(const torch::Tensor& data_batch) override;

  // The fields theta_v, theta_h of linear layers (binary, spin, Potts); std::logic_error for others.
  torch::Tensor& visible_field() const;
  torch::Tensor& hidden_field() const;
  // b = theta_v - W lambda and c = theta_h - W^T mu (the fields themselves when not centred),
  // flattened, in `dtype`, differentiable: the fields of the plain RBM this one equals. Undefined
  // for a layer that is not linear.
  struct PlainFields {
    torch::Tensor visible, hidden;
  };
  PlainFields plain_fields(torch::Dtype dtype) const;

  // W^T (v - mu) and W (h - lambda), in the input's dtype.
  torch::Tensor hidden_input(const torch::Tensor& v) const;
  torch::Tensor visible_input(const torch::Tensor& h) const;
  // The layers as linear layers, or null.
  const LinearLayerImpl* visible_linear() const { return visible_linear_; }
  const LinearLayerImpl* hidden_linear() const { return hidden_linear_; }

  const LayeredRBMOptions& options() const { return options_; }
  LayerPtr visible, hidden;
  torch::Tensor weight;
  torch::Tensor visible_offset, hidden_offset;  // mu, lambda: buffers of centred models only

 private:
  torch::Tensor plain_hidden_field(torch::Dtype dtype) const;
  torch::Tensor plain_visible_field(torch::Dtype dtype) const;
  // A layer's law given the other layer's state: for linear layers of their total input, the
  // plain field plus the product in one GEMM (times beta when tempered), else of the input.
  // (s is the visible statistic s_v(v) where a function takes it.)
  torch::Tensor hidden_total_input(const torch::Tensor& s) const;
  torch::Tensor visible_total_input(const torch::Tensor& h) const;
  torch::Tensor hidden_input_of(const torch::Tensor& s) const;  // W^T (s - mu)
  // E_v(v) + s_v(v)^T W lambda and E_h(h) + s_h(h)^T W^T mu: -b.v and -c.h for linear layers;
  // visible_potential_of from E_v(v) and s_v(v) computed together.
  torch::Tensor visible_potential(const torch::Tensor& v) const;
  torch::Tensor visible_potential_of(const LayerImpl::EnergyAndStatistic& v) const;
  torch::Tensor hidden_potential(const torch::Tensor& h) const;
  // Gamma_h(W^T (s - mu)) and Gamma_v(W (s_h(h) - lambda)).
  torch::Tensor hidden_cgf(const torch::Tensor& s) const;
  torch::Tensor visible_cgf(const torch::Tensor& h) const;
  // A linear hidden layer's total input and mean given v, from the memo where it serves.
  struct HiddenLaw {
    torch::Tensor total, mean;
  };
  HiddenLaw hidden_law(const torch::Tensor& v);

  LayeredRBMOptions options_;
  LinearLayerImpl* visible_linear_ = nullptr;
  LinearLayerImpl* hidden_linear_ = nullptr;
  // Two linear layers: c + v W and the hidden mean for the last input, valid while that tensor
  // and the parameters are unchanged (same tensor, versions, storage; after_update clears it).
  struct HiddenMemo {
    torch::Tensor input, total, mean;
    int64_t input_version = -1, parameters_version = -1;
    const void* weight_data = nullptr;
  };
  HiddenMemo memo_;
  bool memo_matches(const torch::Tensor& v) const;
  // The sum of the versions of what c + s(v) W depends on: W, theta_h and the visible layer's parameters.
  int64_t parameters_version() const;
  void remember(const torch::Tensor& v, const torch::Tensor& total, const torch::Tensor& mean);
};

TORCH_MODULE(LayeredRBM);

}  // namespace ebm
