// Log-likelihood of an RBM by annealing (samplers/ais.h), each estimator repeated independently
// (consecutive draws of the run's seeded generator), saying what each figure is:
//   ais:    forward AIS, ll = mean[-F(x)] - log Ẑ with E[Ẑ] = Z: a stochastic upper bound on the
//           ll; reverse AIS from exact model samples (enumerable RBMs): a stochastic lower bound;
//           reverse AIS from data rows after Gibbs sweeps: no bound, reported as "_from_data".
//   raise:  RAISE (Burda, Grosse & Salakhutdinov 2015), mean log p̂_ann(x) over the rows: a
//           stochastic lower bound on the annealing model's ll, which tends to the RBM's as the
//           betas grow dense (no bound on the RBM's own ll: samplers/ais.h).
// Error bars are the spread (sample standard deviation) of the repeats; forward AIS's
// delta-method error and its weights' effective sample size are reported beside it, and a
// warning is logged when a few chains carry an estimate.
// In a data-parallel job (options.world) the work is shared out: each rank runs its share of the
// chains (RAISE: of the rows) from its own random stream, and every rank estimates from all the
// ranks' weights, pooled in rank order: the estimator of `chains` chains, W times faster.
#pragma once

#include <memory>

#include "distributed/world.h"
#include "samplers/ais.h"
#include "trainers/evaluator.h"

namespace ebm::trainers {

struct AnnealingOptions {
  TORCH_ARG(samplers::AISOptions, ais);
  // Independent runs of each estimator.
  TORCH_ARG(int64_t, repeats) = 5;
  // AISLogLikelihood: whether it runs forward AIS too (a study comparing reverse starts runs it once).
  TORCH_ARG(bool, forward) = true;
  // Where reverse AIS starts: "exact" (exact model samples; enumerable RBMs only), "data" (data
  // rows after burn_in Gibbs sweeps: no bound), "off", or "auto" (exact where enumerable, else off).
  TORCH_ARG(std::string, reverse) = "auto";
  TORCH_ARG(int64_t, burn_in) = 1000;
  // RAISE: reverse walks per row, whose weights are averaged per row before the log.
  TORCH_ARG(int64_t, chains_per_row) = 1;
  // The job whose ranks share the work (none: all of it here).
  TORCH_ARG(std::shared_ptr<distributed::World>, world) = nullptr;
};

// A figure repeated: "KEY" (the mean), "KEY_spread" (the sample standard deviation, 0 for one
// repeat) and "KEY_repeats" (every value).
void add_repeated(Metrics& m, const std::string& key, const std::vector<double>& values);

// Reports forward AIS as "ais_ll", "ais_log_z" (each with _spread; log Z with _repeats),
// "ais_log_z_stderr" (the delta method's, mean over repeats), "ais_ess" (the smallest over
// repeats), "ais_base_log_z"; reverse AIS from exact samples as "ais_ll_reverse",
// "ais_log_z_reverse" (the same suffixes, "ais_reverse_ess"), or from data as
// "ais_ll_reverse_from_data", "ais_log_z_reverse_from_data"; "exact_log_z" when enumerable.
class AISLogLikelihood : public Evaluator {
 public:
  // `base_data`: the training rows that fix the path's base (may be undefined: a uniform base).
  explicit AISLogLikelihood(AnnealingOptions options = {}, torch::Tensor base_data = {})
      : options_(std::move(options)), base_data_(std::move(base_data)) {}
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;
  std::string primary_metric() const override { return "ais_ll"; }
  double uniform_model_value(const EnergyModelImpl& model) const override { return uniform_log_likelihood(model); }
  void check_model(const EnergyModelImpl& model) const override;
  bool shares_work_over_ranks() const override { return options_.world() && options_.world()->size() > 1; }

 private:
  AnnealingOptions options_;
  torch::Tensor base_data_;
};

// Reports "raise_ll" (with _spread and _repeats) and "raise_rows", the rows it averages.
class RAISELogLikelihood : public Evaluator {
 public:
  explicit RAISELogLikelihood(AnnealingOptions options = {}, torch::Tensor base_data = {})
      : options_(std::move(options)), base_data_(std::move(base_data)) {}
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) override;
  std::string primary_metric() const override { return "raise_ll"; }
  bool shares_work_over_ranks() const override { return options_.world() && options_.world()->size() > 1; }

 private:
  AnnealingOptions options_;
  torch::Tensor base_data_;
};

}  // namespace ebm::trainers
