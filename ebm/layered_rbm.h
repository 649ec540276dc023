// A restricted Boltzmann machine composed of a visible and a hidden layer of units (ebm/layers/)
// and the weights between them, as RestrictedBoltzmannMachines.jl builds every RBM (Tubiana &
// Monasson 2017 for ReLU and dReLU hidden units). With E_v, E_h the layers' potentials and
// Gamma_v, Gamma_h their cumulant generating functions:
//   E(v, h) = E_v(v) + E_h(h) - (v - mu)^T W (h - lambda) + mu^T W lambda
//           = E_v(v) + E_h(h) - v^T W h + v^T W lambda + mu^T W h,
//   F(v)    = E_v(v) + v^T W lambda - Gamma_h(W^T (v - mu)),
//   F(h)    = E_h(h) + mu^T W h - Gamma_v(W (h - lambda)),
// p(h | v) is the hidden layer's law given the input W^T (v - mu), p(v | h) the visible layer's
// given W (h - lambda), and the tempered model exp(-beta E) has the layers' laws at beta. The
// offsets mu, lambda are 0 unless the RBM is centred (Melchior, Fischer & Wiskott 2016; the
// constant mu^T W lambda makes it the plain RBM of fields shifted by -W lambda and -W^T mu, as
// the Bernoulli RBM, ebm/bernoulli_rbm.h, writes it): mu the data mean, lambda a running mean of E[h | data], moved after each update while the visible
// field shifts by W (lambda' - lambda), which keeps the distribution. Sampling, free energies,
// exact enumeration of the layer with fewer states (ebm/exact_enumeration.h), tempering, AIS and
// the phase tool follow from the layers: nothing here depends on the kind of unit.
// AIS walks E_beta = (1 - beta)(E_vA(v) + E_hA(h)) + beta E(v, h) from independent layers A (the
// visible layer fitted to the data, the hidden one blank), each tempered layer the interpolation
// of potentials (LayerImpl::interpolated).
// Parameters: "weight" [visible columns, hidden columns], "visible.*", "hidden.*".
#pragma once

#include <torch/nn/pimpl.h>

#include "ebm/latent_variable_model.h"
#include "ebm/layers/layer.h"

namespace ebm {

struct LayeredRBMOptions {
  LayeredRBMOptions(LayerPtr visible, LayerPtr hidden) : visible_(std::move(visible)), hidden_(std::move(hidden)) {}
  TORCH_ARG(LayerPtr, visible);
  TORCH_ARG(LayerPtr, hidden);
  // Weights start as N(0, init_std^2) (Hinton 2010).
  TORCH_ARG(double, init_std) = 0.01;
  // Centred: offsets mu (set_visible_offset) and lambda (from the hidden layer's mean at input 0,
  // moved by after_update at rate offset_rate).
  TORCH_ARG(bool, centered) = false;
  TORCH_ARG(double, offset_rate) = 0.01;
};

class LayeredRBMImpl : public LatentVariableModel {
 public:
  explicit LayeredRBMImpl(const LayeredRBMOptions& options);

  torch::Tensor energy(const torch::Tensor& v) override;  // F(v)
  int64_t dim() const override { return visible->width(); }
  Domain domain() const override { return visible->domain(); }
  std::string type_name() const override { return "rbm"; }

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

  // W^T (v - mu) and W (h - lambda), in the input's dtype.
  torch::Tensor hidden_input(const torch::Tensor& v) const;
  torch::Tensor visible_input(const torch::Tensor& h) const;

  const LayeredRBMOptions& options() const { return options_; }
  LayerPtr visible, hidden;
  torch::Tensor weight;
  torch::Tensor visible_offset, hidden_offset;  // mu, lambda: buffers of centred models only

 private:
  LayeredRBMOptions options_;
};

TORCH_MODULE(LayeredRBM);

}  // namespace ebm
