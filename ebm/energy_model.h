// EnergyModel: a density p(x) = exp(-E(x)) / Z over rows x of a batch.
// energy() returns E(x) per example; latent-variable models return the free energy
// F(x) = -log sum_h exp(-E(x, h)), so every objective and sampler sees one interface.
#pragma once

#include <torch/nn/module.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ebm {

// The support of x: objectives and samplers refuse models on a domain they cannot handle.
// Binary: every column 0 or 1, each free (bit flips stay in the domain). Discrete: finitely many
// states of another kind (spins -1/+1, one-hot categories), which only a model's own
// conditionals know how to move between. Continuous: real columns.
enum class Domain { Binary, Continuous, Discrete };
// "binary", "continuous", "discrete".
const char* domain_name(Domain domain);

// A density that is a Gaussian mixture in closed form, p(x) = Σ_k π_k N(x; μ_k, Σ_k): weights π
// [K], means μ [K, D], covariances Σ [K, D, D], detached.
struct GaussianMixtureForm {
  torch::Tensor weights, means, covariances;
};

class EnergyModelImpl : public torch::nn::Module {
 public:
  // E(x) (or F(x)) for a batch [B, dim()] -> [B]; differentiable in parameters and x. Any
  // floating dtype is accepted: models compute in their own dtype or the input's, whichever
  // they document, so evaluators may pass double.
  virtual torch::Tensor energy(const torch::Tensor& x) = 0;
  virtual int64_t dim() const = 0;
  virtual Domain domain() const = 0;
  // Short registry name ("bernoulli_rbm"), used in logs, checkpoints and exports.
  virtual std::string type_name() const = 0;
  // ∇x E(x) per row, detached: what gradient-based samplers follow (minus the score). The
  // default differentiates energy() by autograd; models with a cheaper closed form override it.
  virtual torch::Tensor energy_gradient(const torch::Tensor& x);
  // energy() of several batches, one result each, as one computation: what an objective that
  // contrasts batches (data against model samples) differentiates. The default calls energy()
  // on each; a model may share work between them (the RBM accumulates its weight gradient in
  // one product buffer instead of adding two).
  virtual std::vector<torch::Tensor> energies(const std::vector<torch::Tensor>& batches);
  // Called by the trainer after each optimiser step with that step's data batch: models with
  // running statistics of the data (the centred RBM's hidden offsets) update them here.
  virtual void after_update(const torch::Tensor& data_batch) {}
  // The model as a Gaussian mixture when it is one in closed form (a Gaussian is a mixture of
  // one), else nothing: what exact Gaussian moves (gaussian_gibbs, the noise ladder) and the
  // studies that read a trained mixture use.
  virtual std::optional<GaussianMixtureForm> gaussian_mixture_form() const { return std::nullopt; }
  // For a model whose energy is a sum of terms over single units and over the pairs of a graph
  // (Ising and Potts models on a graph), with finitely many states per unit (unit_states): that
  // graph's edges between units, int64 [E, 2], so that units no edge joins are independent given
  // the rest (block Gibbs over a colouring, samplers/colour_gibbs.h), and E(x) is affine in each
  // unit's columns x_i: E(x with x_i = s) - E(x) = dE/dx_i . (s - x_i). Else nothing.
  virtual std::optional<torch::Tensor> interaction_graph() const { return std::nullopt; }
  // The states of one unit when the model's units have finitely many, [S, c] (c columns per
  // unit; a row's units are its consecutive groups of c columns): what exact enumeration,
  // pseudo-likelihood and block Gibbs move between. Binary models: {0, 1}, one column; discrete
  // models state theirs (one-hot groups for Potts units); continuous ones have none.
  virtual std::optional<torch::Tensor> unit_states() const;
  // Names some parameters had in checkpoints and exports written by earlier versions (former name
  // -> current), so those files still load.
  virtual std::map<std::string, std::string> former_parameter_names() const { return {}; }
};

using EnergyModelPtr = std::shared_ptr<EnergyModelImpl>;

// Why the gradient of ∇x E (in x and the parameters) cannot be taken, which every score-matching
// objective needs, tried on two fixed rows; empty when it can. Built-in models always can; an
// energy written in PyTorch can hold an op without a double backward.
std::string second_derivative_problem(EnergyModelImpl& model);

// A parameter `p` in the dtype of the input `x`: models compute in their input's dtype, so exact
// evaluation can run in double on a float model.
inline torch::Tensor in_dtype_of(const torch::Tensor& p, const torch::Tensor& x) { return p.to(x.dtype()); }

}  // namespace ebm
