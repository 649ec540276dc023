#include "samplers/parallel_tempering.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ebm/latent_variable_model.h"
#include "io/interrupt.h"
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
}

torch::Tensor ParallelTemperingSampler::run(EnergyModelImpl& model, const torch::Tensor& x, int64_t steps) {
  auto& latent = latent_variables_of(model, "the parallel_tempering sampler");
  torch::NoGradGuard no_grad;
  const int64_t k = static_cast<int64_t>(betas_.size()), b = x.size(0), d = x.size(1);
  if (!replicas_.defined() || replicas_.size(1) != b || replicas_.size(2) != d) {
    replicas_ = x.unsqueeze(0).repeat({k, 1, 1});
  }
  // The replicas are overwritten below, so the β = 1 row may take x in place.
  auto state = replicas_.to(x.device(), x.dtype());
  state[k - 1].copy_(x);
  // Made on the device (a copy from the host would wait for it): betas_'s values.
  auto beta = torch::linspace(options_.min_beta(), 1.0, k, x.options().dtype(torch::kFloat64)).to(x.dtype());
  auto beta_rows = beta.repeat_interleave(b);
  auto long_options = torch::TensorOptions().dtype(torch::kLong).device(x.device());
  auto accepted = torch::zeros({k - 1}, long_options), proposed = torch::zeros({k - 1}, long_options);
  proposed_any_ = false;

  for (int64_t s = 0; s < steps; ++s, ++sweeps_) {
    io::interruption_point("sampling");
    auto h = latent.sample_hidden_tempered(state.view({k * b, d}), beta_rows);
    auto v = latent.sample_visible_tempered(h, beta_rows);
    auto energy = latent.joint_energy(v, h).view({k, b});
    state = v.view({k, b, d});
    // Disjoint pairs (lo, lo + 1), lo of one parity, all proposed at once.
    auto lo = torch::arange(sweeps_ % 2, k - 1, 2, long_options);
    if (lo.numel() == 0) continue;
    proposed_any_ = true;
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
    proposed.index_add_(0, lo, torch::full_like(lo, b));
  }
  accepted_ = accepted, proposed_ = proposed;
  replicas_ = state;
  return state[k - 1].clone();
}

std::vector<double> ParallelTemperingSampler::pair_swap_rates() const {
  if (!accepted_.defined()) return std::vector<double>(betas_.size() - 1, NAN);
  auto rates = (accepted_.to(torch::kFloat64) / proposed_.to(torch::kFloat64)).cpu();  // 0 / 0: NaN where none proposed
  return std::vector<double>(rates.data_ptr<double>(), rates.data_ptr<double>() + rates.numel());
}

std::map<std::string, torch::Tensor> ParallelTemperingSampler::statistics() const {
  if (!proposed_any_) return {};
  auto accepted = accepted_.to(torch::kFloat64), proposed = proposed_.to(torch::kFloat64);
  auto rates = torch::where(proposed > 0, accepted / proposed, torch::full_like(proposed, INFINITY));
  return {{"swap_rate", accepted.sum() / proposed.sum()}, {"swap_rate_min", rates.min()}};
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
