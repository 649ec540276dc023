// Evaluator: metrics of a model on a dataset (its held-out rows when it has any; see
// Dataset::evaluation_split), computed at log steps. The first evaluator's primary metric
// decides a run's "best" record.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "datasets/dataset.h"
#include "ebm/energy_model.h"

namespace ebm::trainers {

using Metrics = nlohmann::ordered_json;

// -U log S: the log-likelihood (or pseudo-log-likelihood) of the uniform model of U units of S
// states each (EnergyModelImpl::unit_states; -D log 2 for D binary features); NaN for a model of
// continuous data.
inline double uniform_log_likelihood(const EnergyModelImpl& model) {
  const auto states = model.unit_states();
  if (!states) return std::nan("");
  const double units = static_cast<double>(model.dim() / states->size(1));
  return -units * std::log(static_cast<double>(states->size(0)));
}

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) = 0;
  virtual std::string primary_metric() const = 0;
  // Whether a larger primary metric is better (log-likelihoods) or worse (discrepancies).
  virtual bool higher_is_better() const { return true; }
  // The primary metric's value for the uniform model, where one is known (uniform_log_likelihood:
  // -U log S nats for a log-likelihood of U units of S states; negative), else NaN. A model far
  // below it has blown up while staying finite, and the divergence guard (trainers/trainer.h)
  // treats that as divergence.
  virtual double uniform_model_value(const EnergyModelImpl& model) const { return std::nan(""); }
  // Throws std::invalid_argument when the evaluator's options or the model's sizes do not fit (exact
  // enumeration's size limit). Which model types fit at all is stated once, in the registry
  // (config/registry.h, Accepts), not checked again here.
  virtual void check_model(const EnergyModelImpl& model) const {}
  // Whether evaluate() shares its work over the ranks of a data-parallel job (AIS's chains): then
  // every rank calls it at the same steps (its collectives pair up); the others run on rank 0 only.
  virtual bool shares_work_over_ranks() const { return false; }
};

}  // namespace ebm::trainers
