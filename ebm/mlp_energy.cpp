#include "ebm/mlp_energy.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace ebm {

namespace {

torch::Tensor activate(const std::string& name, const torch::Tensor& a) {
  if (name == "silu") return torch::silu(a);
  if (name == "relu") return torch::relu(a);
  if (name == "leaky_relu") return torch::leaky_relu(a, 0.2);
  if (name == "elu") return torch::elu(a);
  return torch::tanh(a);
}

// φ(a) and φ'(a) together.
std::pair<torch::Tensor, torch::Tensor> activate_with_slope(const std::string& name, const torch::Tensor& a) {
  if (name == "silu") {
    auto s = torch::sigmoid(a);
    auto h = a * s;
    // φ' = s (1 + a (1 - s)) = s + h (1 - s)
    return {h, torch::addcmul(s, h, 1 - s)};
  }
  if (name == "relu") return {torch::relu(a), (a > 0).to(a.dtype())};
  if (name == "leaky_relu") {
    auto positive = a > 0;
    return {torch::where(positive, a, 0.2 * a), torch::where(positive, torch::ones_like(a), torch::full_like(a, 0.2))};
  }
  if (name == "elu") {
    auto e = torch::exp(torch::clamp_max(a, 0));
    auto positive = a > 0;
    return {torch::where(positive, a, e - 1), torch::where(positive, torch::ones_like(a), e)};
  }
  auto t = torch::tanh(a);
  return {t, 1 - t * t};
}

}  // namespace

const std::vector<std::string>& MLPEnergyImpl::activations() {
  static const std::vector<std::string> names = {"silu", "relu", "leaky_relu", "elu", "tanh"};
  return names;
}

MLPEnergyImpl::MLPEnergyImpl(const MLPEnergyOptions& options) : options_(options) {
  const auto& names = activations();
  if (std::find(names.begin(), names.end(), options.activation()) == names.end()) {
    throw std::invalid_argument("unknown activation '" + options.activation() + "'");
  }
  int64_t in = options.dim();
  auto widths = options.widths();
  widths.push_back(1);
  for (size_t l = 0; l < widths.size(); ++l) {
    if (widths[l] < 1) throw std::invalid_argument("MLP widths must be positive");
    layers_.push_back(register_module("layer" + std::to_string(l), torch::nn::Linear(in, widths[l])));
    if (options.spectral_norm()) {
      auto u = torch::randn({widths[l]});
      singular_vectors_.push_back(register_buffer("layer" + std::to_string(l) + "_u", u / u.norm()));
    }
    in = widths[l];
  }
}

std::vector<torch::Tensor> MLPEnergyImpl::effective_weights() {
  std::vector<torch::Tensor> weights;
  for (size_t l = 0; l < layers_.size(); ++l) {
    const auto& w = layers_[l]->weight;
    if (!options_.spectral_norm()) {
      weights.push_back(w);
      continue;
    }
    auto& u = singular_vectors_[l];
    torch::Tensor v;
    {
      torch::NoGradGuard no_grad;
      v = torch::nn::functional::normalize(w.t().mv(u), torch::nn::functional::NormalizeFuncOptions().dim(0).eps(1e-12));
      if (is_training() && w.requires_grad() && torch::GradMode::is_enabled()) {
        u.copy_(torch::nn::functional::normalize(w.mv(v), torch::nn::functional::NormalizeFuncOptions().dim(0).eps(1e-12)));
      }
    }
    weights.push_back(w / torch::dot(u, w.mv(v)));
  }
  return weights;
}

torch::Tensor MLPEnergyImpl::energy(const torch::Tensor& x) {
  auto weights = effective_weights();
  torch::Tensor h = x.to(weights[0].dtype());
  for (size_t l = 0; l < layers_.size(); ++l) {
    h = torch::addmm(layers_[l]->bias, h, weights[l].t());
    if (l + 1 < layers_.size()) h = activate(options_.activation(), h);
  }
  return h.squeeze(1);
}

torch::Tensor MLPEnergyImpl::energy_gradient(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  auto weights = effective_weights();
  const size_t hidden = layers_.size() - 1;
  std::vector<torch::Tensor> slopes;
  torch::Tensor h = x.to(weights[0].dtype());
  for (size_t l = 0; l < hidden; ++l) {
    auto [out, slope] = activate_with_slope(options_.activation(), torch::addmm(layers_[l]->bias, h, weights[l].t()));
    h = out;
    slopes.push_back(slope);
  }
  // dE/dh of the last hidden layer is the output row w_out, the same for every example.
  torch::Tensor g = hidden > 0 ? slopes[hidden - 1] * weights[hidden] : weights[0].expand({x.size(0), x.size(1)});
  for (size_t l = hidden; l-- > 0;) {
    g = g.mm(weights[l]);
    if (l > 0) g.mul_(slopes[l - 1]);
  }
  return g;
}

}  // namespace ebm
