#include "trainers/phases.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "ebm/exact_enumeration.h"
#include "ebm/latent_variable_model.h"
#include "samplers/diagnostics.h"

namespace ebm::trainers {

namespace {

// d/dθ Σ_i w_i E(x_i) for a fixed weighting: the mean when `weights` is undefined.
NamedTensors weighted_energy_gradient(EnergyModelImpl& model, const torch::Tensor& x,
                                      const torch::Tensor& weights,
                                      torch::Tensor (*energy)(EnergyModelImpl&, const torch::Tensor&)) {
  torch::AutoGradMode enable(true);
  auto named = model.named_parameters();
  std::vector<torch::Tensor> params;
  for (const auto& item : named) params.push_back(item.value());
  auto e = energy(model, x);
  auto objective = weights.defined() ? (weights.detach() * e).sum() : e.mean();
  auto grads = torch::autograd::grad({objective}, params, {}, /*retain_graph=*/false,
                                     /*create_graph=*/false, /*allow_unused=*/true);
  NamedTensors out;
  for (size_t i = 0; i < params.size(); ++i) {
    out.emplace_back(named[i].key(), grads[i].defined() ? grads[i] : torch::zeros_like(params[i]));
  }
  return out;
}

torch::Tensor visible_energy(EnergyModelImpl& model, const torch::Tensor& v) { return model.energy(v); }
torch::Tensor hidden_energy(EnergyModelImpl& model, const torch::Tensor& h) {
  return static_cast<LatentVariableModel&>(model).hidden_free_energy(h);
}

void accumulate(NamedTensors& total, const NamedTensors& part) {
  if (total.empty()) {
    total = part;
    return;
  }
  for (size_t i = 0; i < total.size(); ++i) total[i].second = total[i].second + part[i].second;
}

torch::Tensor flatten(const NamedTensors& tensors, const std::string& only = "") {
  std::vector<torch::Tensor> parts;
  for (const auto& [name, t] : tensors) {
    if (only.empty() || name == only) parts.push_back(t.detach().to(torch::kFloat64).cpu().reshape(-1));
  }
  if (parts.empty()) throw std::invalid_argument("no parameter named '" + only + "'");
  return torch::cat(parts);
}

}  // namespace

NamedTensors positive_phase(EnergyModelImpl& model, const torch::Tensor& batch) {
  auto out = weighted_energy_gradient(model, batch, {}, &visible_energy);
  for (auto& item : out) item.second = -item.second;
  return out;
}

NamedTensors sampled_negative_phase(EnergyModelImpl& model, const torch::Tensor& samples) {
  return weighted_energy_gradient(model, samples, {}, &visible_energy);
}

NamedTensors weighted_negative_phase(EnergyModelImpl& model, const torch::Tensor& states, const torch::Tensor& weights) {
  return weighted_energy_gradient(model, states, weights, &visible_energy);
}

std::string exact_negative_phase_unavailable(const EnergyModelImpl& model, const std::optional<QuadratureGrid>& grid) {
  const auto* latent = dynamic_cast<const LatentVariableModel*>(&model);
  if (latent != nullptr && is_enumerable(*latent)) return "";
  if (model.domain() == Domain::Continuous && model.dim() == 2 && grid) return "";
  return "no exact negative phase for '" + model.type_name() + "' on " + std::to_string(model.dim()) +
         " dimensions: it needs a latent-variable model with a discrete layer of at most 2^" +
         std::to_string(kMaxEnumeratedUnits) + " states (enumeration) or a 2-D continuous model (grid quadrature)";
}

NamedTensors exact_negative_phase(EnergyModelImpl& model, const std::optional<QuadratureGrid>& grid) {
  const auto why = exact_negative_phase_unavailable(model, grid);
  if (!why.empty()) throw std::invalid_argument(why);
  auto param = model.parameters().at(0);
  auto options = torch::TensorOptions().dtype(param.dtype()).device(param.device());

  if (model.domain() == Domain::Continuous) {
    auto points = grid_points(*grid, options);
    torch::Tensor weights;
    {
      torch::NoGradGuard no_grad;
      weights = torch::softmax(-model.energy(points), 0);  // the cell area cancels
    }
    return weighted_energy_gradient(model, points, weights, &visible_energy);
  }

  // A latent-variable model: every state of its smaller layer, weighted by its exact probability.
  auto& latent = static_cast<LatentVariableModel&>(model);
  const auto layer = enumerated_layer(latent, param.scalar_type(), "the exact negative phase");
  auto energy = layer.over_hidden ? &hidden_energy : &visible_energy;
  const double log_z = exact_log_partition(latent);
  const int64_t chunk = int64_t{1} << 16;
  NamedTensors sum;
  for (int64_t start = 0; start < layer.count; start += chunk) {
    auto states = layer.states(start, std::min(layer.count, start + chunk));
    torch::Tensor weights;
    {
      torch::NoGradGuard no_grad;
      weights = torch::exp(-energy(model, states) - log_z);
    }
    accumulate(sum, weighted_energy_gradient(model, states, weights, energy));
  }
  return sum;
}

NamedTensors mean_of(const std::vector<NamedTensors>& estimates) {
  if (estimates.empty()) throw std::invalid_argument("no estimates to average");
  NamedTensors total;
  for (const auto& e : estimates) accumulate(total, e);
  for (auto& item : total) item.second = item.second / static_cast<double>(estimates.size());
  return total;
}

EstimatorComparison compare_to_exact(const std::vector<NamedTensors>& negative_estimates,
                                     const NamedTensors& positive, const NamedTensors& exact_negative,
                                     const std::string& name) {
  if (negative_estimates.size() < 2) throw std::invalid_argument("comparing an estimator needs at least 2 repeats");
  auto pos = flatten(positive, name), exact_neg = flatten(exact_negative, name);
  auto exact = pos + exact_neg;
  const double exact_norm = exact.norm().item<double>();
  std::vector<torch::Tensor> rows;
  for (const auto& estimate : negative_estimates) rows.push_back(flatten(estimate, name));
  auto negatives = torch::stack(rows);  // [R, P]
  auto gradients = negatives + pos;
  auto mean_gradient = gradients.mean(0);
  const double repeats = static_cast<double>(negative_estimates.size());

  EstimatorComparison c;
  auto norms = gradients.norm(2, 1);
  auto cosines = torch::where(norms > 0, gradients.mv(exact) / (norms * exact_norm), torch::zeros_like(norms));
  c.cosine_to_exact = cosines.mean().item<double>();
  auto bias = mean_gradient - exact;
  c.relative_bias = bias.norm().item<double>() / exact_norm;
  c.relative_std = std::sqrt((gradients - mean_gradient).pow(2).sum().item<double>() / (repeats - 1)) / exact_norm;
  auto direction = bias / std::max(bias.norm().item<double>(), 1e-300);
  auto projected = (gradients - mean_gradient).mv(direction).contiguous();
  if (projected.abs().max().item<double>() > 0) {
    samplers::Draws series = Eigen::Map<Eigen::RowVectorXd>(projected.data_ptr<double>(), projected.numel());
    c.autocorrelation_time = std::max(1.0, samplers::integrated_autocorrelation_time(series));
  }
  c.relative_bias_noise = c.relative_std * std::sqrt(c.autocorrelation_time / repeats);
  c.negative_relative_bias = (negatives.mean(0) - exact_neg).norm().item<double>() / exact_neg.norm().item<double>();
  return c;
}

EstimatorComparison compare_to_exact(const std::vector<NamedTensors>& negative_estimates,
                                     const NamedTensors& positive, const NamedTensors& exact_negative) {
  return compare_to_exact(negative_estimates, positive, exact_negative, "");
}

}  // namespace ebm::trainers
