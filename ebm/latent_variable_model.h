// A latent-variable energy E(v, h) whose two conditionals p(h|v) and p(v|h) are tractable
// (restricted Boltzmann machines, Smolensky 1986; Hinton 2002). The free energy over the
// hidden layer F(h) = -log sum_v exp(-E(v, h)) lets exact enumeration run over the smaller layer.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "ebm/annealing_path.h"
#include "ebm/energy_model.h"

namespace ebm {

class LatentVariableModel : public EnergyModelImpl {
 public:
  virtual int64_t num_hidden() const = 0;
  // The states of one hidden unit when it has finitely many, [S, columns per unit], as
  // unit_states() says of the visible ones: what exact enumeration runs over
  // (ebm/exact_enumeration.h); none for continuous units. By default hidden units are binary.
  virtual std::optional<torch::Tensor> hidden_unit_states() const;
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
  // The annealing path from a base model fitted to `base_data` (training rows; may be empty) to
  // this model, in double precision, for AIS and RAISE (ebm/annealing_path.h).
  virtual std::unique_ptr<AnnealingPath> annealing_path(const torch::Tensor& base_data) = 0;
};

// `model` as a latent-variable model, for code that needs its conditionals; std::invalid_argument
// naming `what` when it has none. (Which components fit which models is stated once, in the
// registry's Accepts: config/registry.h. This is the access, for library callers too.)
template <class Model>
auto& latent_variables_of(Model& model, const std::string& what) {
  using Latent = std::conditional_t<std::is_const_v<Model>, const LatentVariableModel, LatentVariableModel>;
  auto* latent = dynamic_cast<Latent*>(&model);
  if (latent == nullptr) {
    throw std::invalid_argument(what + " needs a latent-variable model (an RBM), not '" + model.type_name() + "'");
  }
  return *latent;
}

}  // namespace ebm
