// Evaluator: metrics of a model on a dataset (its held-out rows when it has any; see
// Dataset::evaluation_split), computed at log steps. The first evaluator's primary metric
// decides a run's "best" record.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "datasets/dataset.h"
#include "ebm/energy_model.h"

namespace ebm::trainers {

using Metrics = nlohmann::ordered_json;

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset& data) = 0;
  virtual std::string primary_metric() const = 0;
  // Whether a larger primary metric is better (log-likelihoods) or worse (discrepancies).
  virtual bool higher_is_better() const { return true; }
  // Throws std::invalid_argument when the evaluator cannot handle `model`.
  virtual void check_model(const EnergyModelImpl& model) const {}
};

}  // namespace ebm::trainers
