#include "ebm/gaussian.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ebm {

namespace {

constexpr double kLog2Pi = 1.8378770664093453;

// L from its strictly-lower part and log-diagonal (batched over leading dimensions).
torch::Tensor assemble_tril(const torch::Tensor& offdiag, const torch::Tensor& log_diag) {
  return torch::tril(offdiag, -1) + torch::diag_embed(torch::exp(log_diag));
}

void check_tril(const torch::Tensor& l, int64_t dim) {
  if (l.size(-1) != dim || l.size(-2) != dim) throw std::invalid_argument("scale_tril must be [D, D] with D the mean's size");
  if (!(torch::diagonal(l, 0, -2, -1) > 0).all().item<bool>()) {
    throw std::invalid_argument("scale_tril needs a positive diagonal");
  }
}

// log N(x; μ, L Lᵀ) for x [B, D] against each of K components: μ [K, D], L [K, D, D] -> [B, K].
torch::Tensor gaussian_log_density(const torch::Tensor& x, const torch::Tensor& mu, const torch::Tensor& l) {
  auto diff = x.unsqueeze(0) - mu.unsqueeze(1);  // [K, B, D]
  auto z = torch::linalg_solve_triangular(l, diff.transpose(1, 2), /*upper=*/false);  // [K, D, B]
  auto log_det = torch::log(torch::diagonal(l, 0, -2, -1)).sum(-1);  // [K]
  auto quad = z.pow(2).sum(1);  // [K, B]
  return (-0.5 * quad - log_det.unsqueeze(1) - 0.5 * static_cast<double>(x.size(1)) * kLog2Pi).t();
}

// Σ_k⁻¹ (x - μ_k) for every component: [K, B, D].
torch::Tensor precision_times_diff(const torch::Tensor& x, const torch::Tensor& mu, const torch::Tensor& l) {
  auto diff = (x.unsqueeze(0) - mu.unsqueeze(1)).transpose(1, 2);  // [K, D, B]
  auto z = torch::linalg_solve_triangular(l, diff, /*upper=*/false);
  return torch::linalg_solve_triangular(l.transpose(1, 2), z, /*upper=*/true).transpose(1, 2);
}

}  // namespace

GaussianImpl::GaussianImpl(const torch::Tensor& mean_value, const torch::Tensor& scale_tril_value) {
  check_tril(scale_tril_value, mean_value.size(0));
  mean = register_parameter("mean", mean_value.clone());
  tril_offdiag = register_parameter("tril_offdiag", torch::tril(scale_tril_value, -1).clone());
  log_diag = register_parameter("log_diag", torch::log(torch::diagonal(scale_tril_value)).clone());
}

torch::Tensor GaussianImpl::scale_tril() const { return assemble_tril(tril_offdiag, log_diag); }
torch::Tensor GaussianImpl::covariance() const {
  auto l = scale_tril();
  return l.mm(l.t());
}

std::optional<GaussianMixtureForm> GaussianImpl::gaussian_mixture_form() const {
  torch::NoGradGuard no_grad;
  return GaussianMixtureForm{torch::ones({1}, mean.options()), mean.detach().unsqueeze(0), covariance().unsqueeze(0)};
}

torch::Tensor GaussianImpl::energy(const torch::Tensor& x) {
  return -gaussian_log_density(x.to(mean.dtype()), mean.unsqueeze(0), scale_tril().unsqueeze(0)).squeeze(1);
}

torch::Tensor GaussianImpl::energy_gradient(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return precision_times_diff(x.to(mean.dtype()), mean.unsqueeze(0), scale_tril().unsqueeze(0)).squeeze(0);
}

torch::Tensor GaussianImpl::sample(int64_t n) {
  torch::NoGradGuard no_grad;
  return mean + torch::randn({n, dim()}, mean.options()).mm(scale_tril().t());
}

GaussianMixtureImpl::GaussianMixtureImpl(const torch::Tensor& weight_values, const torch::Tensor& mean_values,
                                         const torch::Tensor& scale_tril_values) {
  const int64_t k = mean_values.size(0);
  if (weight_values.size(0) != k || scale_tril_values.size(0) != k) {
    throw std::invalid_argument("a mixture needs as many weights and scale_trils as means");
  }
  if (!(weight_values > 0).all().item<bool>()) throw std::invalid_argument("mixture weights must be positive");
  check_tril(scale_tril_values, mean_values.size(1));
  logits = register_parameter("logits", torch::log(weight_values / weight_values.sum()).clone());
  means = register_parameter("means", mean_values.clone());
  tril_offdiag = register_parameter("tril_offdiag", torch::tril(scale_tril_values, -1).clone());
  log_diag = register_parameter("log_diag", torch::log(torch::diagonal(scale_tril_values, 0, -2, -1)).clone());
}

torch::Tensor GaussianMixtureImpl::weights() const { return torch::softmax(logits, 0); }
torch::Tensor GaussianMixtureImpl::scale_trils() const { return assemble_tril(tril_offdiag, log_diag); }

std::optional<GaussianMixtureForm> GaussianMixtureImpl::gaussian_mixture_form() const {
  torch::NoGradGuard no_grad;
  auto trils = scale_trils();
  return GaussianMixtureForm{weights(), means.detach(), trils.matmul(trils.transpose(1, 2))};
}

torch::Tensor GaussianMixtureImpl::component_log_joint(const torch::Tensor& x) {
  return gaussian_log_density(x.to(means.dtype()), means, scale_trils()) + torch::log_softmax(logits, 0);
}

torch::Tensor GaussianMixtureImpl::energy(const torch::Tensor& x) {
  return -torch::logsumexp(component_log_joint(x), 1);
}

torch::Tensor GaussianMixtureImpl::energy_gradient(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  auto responsibilities = torch::softmax(component_log_joint(x), 1);  // [B, K]
  auto per_component = precision_times_diff(x.to(means.dtype()), means, scale_trils());  // [K, B, D]
  return (responsibilities.t().unsqueeze(2) * per_component).sum(0);
}

torch::Tensor GaussianMixtureImpl::sample(int64_t n) {
  torch::NoGradGuard no_grad;
  auto component = torch::multinomial(weights(), n, /*replacement=*/true);
  auto z = torch::randn({n, dim(), 1}, means.options());
  return means.index_select(0, component) + scale_trils().index_select(0, component).bmm(z).squeeze(2);
}

}  // namespace ebm
