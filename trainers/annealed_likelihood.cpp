#include "trainers/annealed_likelihood.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "ebm/exact_enumeration.h"

namespace ebm::trainers {

namespace {

double mean_of(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// This rank's share [begin, end) of n items split over the job's ranks (all of them alone).
std::pair<int64_t, int64_t> share_of(int64_t n, const distributed::World* world) {
  if (!world) return {0, n};
  return {n * world->rank() / world->size(), n * (world->rank() + 1) / world->size()};
}

// Every rank's values [n_r] (double), concatenated in rank order on the CPU.
torch::Tensor pooled(const torch::Tensor& mine, distributed::World* world) {
  const auto here = mine.to(torch::kCPU, torch::kFloat64).contiguous();
  if (!world) return here;
  const auto all = world->gather(std::string(static_cast<const char*>(here.data_ptr()), here.numel() * sizeof(double)));
  std::vector<torch::Tensor> parts;
  for (const auto& bytes : all) {
    auto part = torch::empty({static_cast<int64_t>(bytes.size() / sizeof(double))}, torch::kFloat64);
    std::memcpy(part.data_ptr(), bytes.data(), bytes.size());
    parts.push_back(part);
  }
  return torch::cat(parts);
}

// The estimate from every rank's weights.
samplers::AISResult pooled_estimate(samplers::AISWeights weights, distributed::World* world) {
  weights.log_w = pooled(weights.log_w, world);
  return samplers::ais_estimate(weights);
}

void warn_if_carried_by_few(const char* what, double ess, int64_t chains) {
  if (ess >= 0.1 * static_cast<double>(chains)) return;
  spdlog::warn("{}: a few chains carry the estimate (effective sample size {:.1f} of {} chains); trust the spread "
               "of the repeats, not the delta-method error, and try more betas",
               what, ess, chains);
}

// Runs `estimate` `repeats` times and reports its log Z under `name` (ais_log_z...) and the
// log-likelihood it gives under `ll_name`.
template <class Estimate>
void report_log_partition(Metrics& m, const std::string& name, const std::string& ll_name, const std::string& ess_name,
                          int64_t repeats, double mean_neg_free_energy, Estimate&& estimate) {
  std::vector<double> log_z, ll;
  double stderr_sum = 0, smallest_ess = INFINITY;
  int64_t chains = 0;
  for (int64_t r = 0; r < repeats; ++r) {
    const auto [result, used_chains] = estimate();
    log_z.push_back(result.log_z);
    ll.push_back(mean_neg_free_energy - result.log_z);
    stderr_sum += result.log_z_stderr;
    smallest_ess = std::min(smallest_ess, result.ess);
    chains = used_chains;
  }
  add_repeated(m, ll_name, ll);
  add_repeated(m, name, log_z);
  m[name + "_stderr"] = stderr_sum / static_cast<double>(repeats);
  m[ess_name] = smallest_ess;
  warn_if_carried_by_few(name.c_str(), smallest_ess, chains);
}

}  // namespace

void add_repeated(Metrics& m, const std::string& key, const std::vector<double>& values) {
  const double mean = mean_of(values);
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  m[key] = mean;
  m[key + "_spread"] = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
  m[key + "_repeats"] = values;
}

void AISLogLikelihood::check_model(const EnergyModelImpl& model) const {
  const auto& rbm = latent_variables_of(model, "ais");
  if (options_.world() && options_.ais().chains() < options_.world()->size()) {
    throw std::invalid_argument("AIS shares its " + std::to_string(options_.ais().chains()) + " chains over the job's " +
                                std::to_string(options_.world()->size()) + " processes: give at least one each");
  }
  if (options_.reverse() == "exact" && !is_enumerable(rbm)) {
    throw std::invalid_argument("reverse AIS from exact samples needs a layer of at most " +
                                std::to_string(kMaxEnumeratedUnits) + " binary units; reverse: data starts it at "
                                "data rows, which is no bound");
  }
}

Metrics AISLogLikelihood::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  check_model(model);
  auto& rbm = latent_variables_of(model, "ais");
  torch::NoGradGuard no_grad;
  const double mean_neg_f = -rbm.energy(data.data().to(torch::kFloat64)).mean().item<double>();
  // This rank's share of each estimator's chains; the estimates pool every rank's weights.
  auto* world = options_.world().get();
  const auto [first, last] = share_of(options_.ais().chains(), world);
  const auto mine = samplers::AISOptions(options_.ais()).chains(last - first);
  const int64_t chains = options_.ais().chains();
  Metrics m;
  if (options_.forward()) {
    double base_log_z = 0;
    report_log_partition(m, "ais_log_z", "ais_ll", "ais_ess", options_.repeats(), mean_neg_f, [&] {
      auto result = pooled_estimate(samplers::ais_log_weights(rbm, base_data_, mine), world);
      base_log_z = result.base_log_z;
      return std::pair{result, chains};
    });
    m["ais_base_log_z"] = base_log_z;
  }
  const bool enumerable = is_enumerable(rbm);
  std::string reverse = options_.reverse();
  if (reverse == "auto") reverse = enumerable ? "exact" : "off";
  if (reverse == "exact") {
    // One enumeration draws every repeat's start states.
    const auto starts = exact_samples(rbm, mine.chains() * options_.repeats()).split(mine.chains());
    size_t repeat = 0;
    report_log_partition(m, "ais_log_z_reverse", "ais_ll_reverse", "ais_reverse_ess", options_.repeats(), mean_neg_f, [&] {
      return std::pair{pooled_estimate(samplers::reverse_ais_log_weights(rbm, base_data_, starts[repeat++], mine), world), chains};
    });
  } else if (reverse == "data") {
    const auto rows = data.data();
    report_log_partition(m, "ais_log_z_reverse_from_data", "ais_ll_reverse_from_data", "ais_reverse_from_data_ess",
                         options_.repeats(), mean_neg_f, [&] {
                           auto v = rows.index_select(0, torch::randint(rows.size(0), {mine.chains()}, torch::kLong).to(rows.device()));
                           for (int64_t i = 0; i < options_.burn_in(); ++i) v = rbm.sample_visible(rbm.sample_hidden(v));
                           return std::pair{pooled_estimate(samplers::reverse_ais_log_weights(rbm, base_data_, v, mine), world), chains};
                         });
  } else if (reverse != "off") {
    throw std::invalid_argument("reverse AIS starts at exact, data, off or auto, not '" + reverse + "'");
  }
  if (enumerable) m["exact_log_z"] = exact_log_partition(rbm);
  return m;
}

Metrics RAISELogLikelihood::evaluate(EnergyModelImpl& model, const datasets::Dataset& data) {
  auto& rbm = latent_variables_of(model, "raise");
  // This rank's share of the rows; the mean is over every rank's.
  auto* world = options_.world().get();
  const auto [first, last] = share_of(data.size(), world);
  const auto rows = data.data().slice(0, first, last);
  const int64_t n = rows.size(0), k = options_.chains_per_row();
  std::vector<double> ll;
  for (int64_t r = 0; r < options_.repeats(); ++r) {
    // Row i's k walks, averaged in weight: log mean_k p̂_ann(v_i), still unbiased in p_ann(v_i).
    torch::Tensor per_row = torch::empty({0}, torch::kFloat64);
    if (n > 0) {
      auto log_p = samplers::raise_log_likelihoods(rbm, base_data_, rows.repeat({k, 1}), options_.ais()).view({k, n});
      per_row = torch::logsumexp(log_p, 0) - std::log(static_cast<double>(k));
    }
    ll.push_back(pooled(per_row, world).mean().item<double>());
  }
  Metrics m;
  add_repeated(m, "raise_ll", ll);
  m["raise_rows"] = data.size();
  return m;
}

}  // namespace ebm::trainers
