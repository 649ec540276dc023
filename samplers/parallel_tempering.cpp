#include "samplers/parallel_tempering.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ebm/latent_variable_model.h"
#include "samplers/metropolis.h"

namespace ebm::samplers {

ParallelTemperingSampler::ParallelTemperingSampler(ParallelTemperingOptions options) : options_(options) {
  const int64_t k = options.temperatures();
  if (k < 2) throw std::invalid_argument("parallel tempering needs at least 2 temperatures");
  if (!(options.min_beta() >= 0 && options.min_beta() < 1)) {
    throw std::invalid_argument("parallel tempering's min_beta must be in [0, 1)");
  }
  for (int64_t i = 0; i < k; ++i) {
    betas_.push_back(options.min_beta() + (1 - options.min_beta()) * static_cast<double>(i) / static_cast<double>(k - 1));
  }
  accepted_.assign(k - 1, 0);
  proposed_.assign(k - 1, 0);
}

void ParallelTemperingSampler::check_model(const EnergyModelImpl& model) const {
  if (dynamic_cast<const LatentVariableModel*>(&model) == nullptr) {
    throw std::invalid_argument("the parallel_tempering sampler needs a latent-variable model (an RBM), not '" +
                                model.type_name() + "'");
  }
}

torch::Tensor ParallelTemperingSampler::run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) {
  check_model(model);
  auto& latent = static_cast<LatentVariableModel&>(model);
  torch::NoGradGuard no_grad;
  const int64_t k = static_cast<int64_t>(betas_.size()), b = x.size(0), d = x.size(1);
  if (!replicas_.defined() || replicas_.size(1) != b || replicas_.size(2) != d) {
    replicas_ = x.unsqueeze(0).repeat({k, 1, 1});
  }
  // The replicas are overwritten below, so the β = 1 row may take x in place.
  auto state = replicas_.to(x.device(), x.dtype());
  state[k - 1].copy_(x);
  auto beta = torch::tensor(betas_, torch::kFloat64).to(x.options());
  auto beta_rows = beta.repeat_interleave(b);
  auto long_options = torch::TensorOptions().dtype(torch::kLong).device(x.device());
  auto accepted = torch::zeros({k - 1}, long_options);
  std::fill(accepted_.begin(), accepted_.end(), 0);
  std::fill(proposed_.begin(), proposed_.end(), 0);

  for (int64_t s = 0; s < steps; ++s, ++sweeps_) {
    auto h = latent.sample_hidden_tempered(state.view({k * b, d}), beta_rows);
    auto v = latent.sample_visible_tempered(h, beta_rows);
    auto energy = latent.joint_energy(v, h).view({k, b});
    state = v.view({k, b, d});
    // Disjoint pairs (lo, lo + 1), lo of one parity, all proposed at once.
    auto lo = torch::arange(sweeps_ % 2, k - 1, 2, long_options);
    if (lo.numel() == 0) continue;
    auto hi = lo + 1;
    auto log_ratio = (beta.index_select(0, hi) - beta.index_select(0, lo)).unsqueeze(1) *
                     (energy.index_select(0, hi) - energy.index_select(0, lo));
    auto accept = metropolis_accept(log_ratio);  // [pairs, B]
    // source[k][j]: which replica's state replica k takes in column j.
    auto source = torch::arange(k, long_options).unsqueeze(1).repeat({1, b});
    source.index_put_({lo}, torch::where(accept, hi.unsqueeze(1), lo.unsqueeze(1)));
    source.index_put_({hi}, torch::where(accept, lo.unsqueeze(1), hi.unsqueeze(1)));
    state = state.gather(0, source.unsqueeze(2).expand({k, b, d}));
    accepted.index_add_(0, lo, accept.sum(1));
    for (int64_t pair = sweeps_ % 2; pair < k - 1; pair += 2) proposed_[pair] += b;
  }
  auto accepted_cpu = accepted.cpu();
  for (int64_t pair = 0; pair < k - 1; ++pair) accepted_[pair] = accepted_cpu[pair].item<int64_t>();
  replicas_ = state;
  return state[k - 1].clone();
}

std::vector<double> ParallelTemperingSampler::pair_swap_rates() const {
  std::vector<double> rates;
  for (size_t pair = 0; pair < accepted_.size(); ++pair) {
    rates.push_back(proposed_[pair] > 0 ? static_cast<double>(accepted_[pair]) / static_cast<double>(proposed_[pair]) : NAN);
  }
  return rates;
}

std::map<std::string, double> ParallelTemperingSampler::statistics() const {
  int64_t accepted = 0, proposed = 0;
  double worst = INFINITY;
  for (size_t pair = 0; pair < accepted_.size(); ++pair) {
    accepted += accepted_[pair];
    proposed += proposed_[pair];
    if (proposed_[pair] > 0) worst = std::min(worst, static_cast<double>(accepted_[pair]) / static_cast<double>(proposed_[pair]));
  }
  if (proposed == 0) return {};
  return {{"swap_rate", static_cast<double>(accepted) / static_cast<double>(proposed)}, {"swap_rate_min", worst}};
}

void ParallelTemperingSampler::save(torch::serialize::OutputArchive& archive) const {
  if (!replicas_.defined()) return;
  archive.write("tempering_replicas", replicas_, /*is_buffer=*/true);
  archive.write("tempering_sweeps", torch::tensor(sweeps_), /*is_buffer=*/true);
}

void ParallelTemperingSampler::load(torch::serialize::InputArchive& archive) {
  torch::Tensor replicas, sweeps;
  if (!archive.try_read("tempering_replicas", replicas, /*is_buffer=*/true)) return;
  if (replicas.size(0) != static_cast<int64_t>(betas_.size())) {
    throw std::invalid_argument("the checkpoint holds " + std::to_string(replicas.size(0)) +
                                " tempering replicas; the sampler has " + std::to_string(betas_.size()));
  }
  archive.read("tempering_sweeps", sweeps, /*is_buffer=*/true);
  replicas_ = replicas;
  sweeps_ = sweeps.item<int64_t>();
}

}  // namespace ebm::samplers
