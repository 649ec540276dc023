#include "trainers/rbm_metrics.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ebm/bernoulli_rbm.h"
#include "ebm/exact_enumeration.h"

namespace ebm::trainers {

Metrics PseudoLikelihood::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  torch::NoGradGuard no_grad;
  auto x = data.data().to(torch::kFloat64);
  auto free_energy = model.energy(x);
  auto total = torch::zeros_like(free_energy);
  for (int64_t i = 0; i < x.size(1); ++i) {
    auto flipped = x.clone();
    flipped.select(1, i).mul_(-1).add_(1);
    total += torch::log_sigmoid(model.energy(flipped) - free_energy);
  }
  Metrics m;
  m["pseudo_ll_total"] = total.mean().item<double>();
  m["pseudo_ll_per_feature"] = total.mean().item<double>() / static_cast<double>(x.size(1));
  return m;
}

Metrics Reconstruction::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  auto& latent = latent_variables_of(model, "recon");
  torch::NoGradGuard no_grad;
  auto x = data.data().to(torch::kFloat64);
  auto r = latent.visible_mean(latent.hidden_mean(x)).clamp(1e-12, 1 - 1e-12);
  Metrics m;
  m["recon_mse"] = (x - r).pow(2).mean().item<double>();
  const double xent = -(x * r.log() + (1 - x) * (1 - r).log()).sum(1).mean().item<double>();
  m["recon_xent"] = xent;
  m["neg_recon_xent"] = -xent;
  return m;
}

}  // namespace ebm::trainers
