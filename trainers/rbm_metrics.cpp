#include "trainers/rbm_metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "trainers/bit_flip_objectives.h"

namespace ebm::trainers {

Metrics PseudoLikelihood::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  torch::NoGradGuard no_grad;
  const auto x = data.data().to(torch::kFloat64);
  const int64_t units = x.size(1) / model.unit_states().value().size(1);
  // Rows in chunks whose changed states (rows x units x other states x columns) stay near 2^24 values.
  const int64_t rows_per_chunk = std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(1, x.size(1) * x.size(1)));
  double total = 0;
  for (int64_t start = 0; start < x.size(0); start += rows_per_chunk) {
    total -= pseudo_negative_log_likelihood(model, x.slice(0, start, std::min(x.size(0), start + rows_per_chunk))).sum().item<double>();
  }
  Metrics m;
  m["pseudo_ll_total"] = total / static_cast<double>(x.size(0));
  m["pseudo_ll_per_feature"] = total / static_cast<double>(x.size(0)) / static_cast<double>(units);
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
