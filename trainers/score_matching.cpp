#include "trainers/score_matching.h"

#include <torch/torch.h>

#include <stdexcept>

namespace ebm::trainers {

namespace {

// ∇x E(x) with a graph, so the loss can be differentiated in the parameters.
torch::Tensor input_gradient(EnergyModelImpl& model, const torch::Tensor& x) {
  return torch::autograd::grad({model.energy(x).sum()}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
}

}  // namespace

LossTerms ExactScoreMatching::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  auto x = batch.detach().requires_grad_(true);
  auto g = input_gradient(model, x);
  auto trace = torch::zeros({x.size(0)}, x.options());
  for (int64_t d = 0; d < x.size(1); ++d) {
    trace = trace + torch::autograd::grad({g.select(1, d).sum()}, {x}, {}, true, true)[0].select(1, d);
  }
  auto norm = 0.5 * g.pow(2).sum(1).mean();
  auto trace_mean = trace.mean();
  return {norm - trace_mean, {{"sm_norm", norm}, {"sm_trace", trace_mean}}};
}

DenoisingScoreMatching::DenoisingScoreMatching(DenoisingScoreMatchingOptions options) : options_(options) {
  if (!(options.noise_std() > 0) || options.scales() < 1 || !(options.scale_ratio() > 0)) {
    throw std::invalid_argument("denoising score matching needs noise_std > 0, scales >= 1 and scale_ratio > 0");
  }
}

LossTerms DenoisingScoreMatching::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  torch::Tensor total;
  double sigma = options_.noise_std();
  for (int64_t l = 0; l < options_.scales(); ++l, sigma *= options_.scale_ratio()) {
    auto noise = torch::randn_like(batch) * sigma;
    auto x = (batch + noise).detach().requires_grad_(true);
    auto g = input_gradient(model, x);
    // σ² ½ |∇E(x̃) - (x̃ - x)/σ²|², so every scale weighs alike (Song & Ermon 2019).
    auto term = 0.5 * sigma * sigma * (g - noise / (sigma * sigma)).pow(2).sum(1).mean();
    total = total.defined() ? total + term : term;
  }
  total = total / static_cast<double>(options_.scales());
  return {total, {{"dsm", total}}};
}

SlicedScoreMatching::SlicedScoreMatching(SlicedScoreMatchingOptions options) : options_(options) {
  if (options.projections() < 1) throw std::invalid_argument("sliced score matching needs at least one projection");
  if (options.distribution() != "gaussian" && options.distribution() != "rademacher") {
    throw std::invalid_argument("sliced score matching projections are gaussian or rademacher");
  }
}

LossTerms SlicedScoreMatching::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  const int64_t m = options_.projections();
  // Each example repeated once per projection.
  auto x = batch.repeat({m, 1}).detach().requires_grad_(true);
  auto v = torch::randn_like(x);
  if (options_.distribution() == "rademacher") v = torch::sign(v);
  auto g = input_gradient(model, x);
  auto gv = (g * v).sum(1);
  auto hv = torch::autograd::grad({gv.sum()}, {x}, {}, true, true)[0];  // ∇²E v
  auto hessian = (v * hv).sum(1).mean();
  auto norm = options_.variance_reduced() ? 0.5 * g.pow(2).sum(1).mean() : 0.5 * gv.pow(2).mean();
  return {norm - hessian, {{"ssm_norm", norm}, {"ssm_hessian", hessian}}};
}

}  // namespace ebm::trainers
