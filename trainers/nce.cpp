#include "trainers/nce.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ebm::trainers {

NoiseContrastiveEstimation::NoiseContrastiveEstimation(std::shared_ptr<AnalyticDensity> noise, NCEOptions options)
    : noise_(std::move(noise)), options_(options) {
  if (!(options.noise_ratio() > 0)) throw std::invalid_argument("nce needs a positive noise_ratio");
  log_normaliser_ = torch::zeros({}, torch::kFloat32).requires_grad_(true);
}

void NoiseContrastiveEstimation::check_model(const EnergyModelImpl& model) const {
  if (model.domain() != noise_->domain() || model.dim() != noise_->dim()) {
    throw std::invalid_argument("the nce noise ('" + noise_->type_name() + "') must live where the model does");
  }
}

LossTerms NoiseContrastiveEstimation::compute(EnergyModelImpl& model, const torch::Tensor& batch) {
  const double nu = options_.noise_ratio();
  const auto noise_count = static_cast<int64_t>(std::llround(nu * static_cast<double>(batch.size(0))));
  torch::Tensor noise_samples, log_q_noise, log_q_data;
  {
    torch::NoGradGuard no_grad;
    noise_samples = noise_->sample(std::max<int64_t>(1, noise_count)).to(batch.options());
    log_q_noise = noise_->log_density(noise_samples).to(batch.dtype());
    log_q_data = noise_->log_density(batch).to(batch.dtype());
  }
  auto c = log_normaliser_.to(batch.options());
  auto logit = [&](const torch::Tensor& u, const torch::Tensor& log_q) {
    return -model.energy(u) - c - std::log(nu) - log_q;
  };
  auto data_term = torch::softplus(-logit(batch, log_q_data)).mean();
  auto noise_term = nu * torch::softplus(logit(noise_samples, log_q_noise)).mean();
  return {data_term + noise_term,
          {{"nce_data", data_term}, {"nce_noise", noise_term}, {"nce_log_z", log_normaliser_.detach().to(torch::kFloat64)}}};
}

void NoiseContrastiveEstimation::save(torch::serialize::OutputArchive& archive) const {
  archive.write("nce_log_normaliser", log_normaliser_, /*is_buffer=*/true);
}

void NoiseContrastiveEstimation::load(torch::serialize::InputArchive& archive) {
  torch::Tensor c;
  if (archive.try_read("nce_log_normaliser", c, /*is_buffer=*/true)) {
    torch::NoGradGuard no_grad;
    log_normaliser_.copy_(c);
  }
}

}  // namespace ebm::trainers
