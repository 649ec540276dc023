// What the studies of the failure-mode catalogue share: training a run of the study's
// experiment and measuring the model it trained, the variant lists they compare ("label: KEY=VALUE
// KEY=VALUE"), and their charts.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "ebm/latent_variable_model.h"
#include "experiments/study.h"
#include "reports/chart.h"
#include "trainers/phases.h"

namespace ebm::experiments {

struct StudyRun {
  TrainingRun run;
  Experiment experiment;  // the one trained, its model as the run's last checkpoint holds it
};

// Trains the study's experiment with `overrides` into OUT/runs/<label> (any character a run name
// cannot hold becomes '-') and returns it with the experiment it trained (the generators as
// that run's last checkpoint left them, so the figures are those of the run reloaded);
// `observer` sees every logged row; with `start_from`, training starts from that model's parameters.
StudyRun train_for_study(const StudyContext& c, const std::string& label, const std::vector<std::string>& overrides = {},
                         const TrainingObserver& observer = nullptr, const EnergyModelImpl* start_from = nullptr);

// "label: KEY=VALUE KEY=VALUE" -> label and overrides; ConfigError at `key` when malformed.
struct Variant {
  std::string label;
  std::vector<std::string> overrides;
};
Variant variant_of(const StudyContext& c, const std::string& key, const std::string& text);
// Every entry of the list at study.KEY.
std::vector<Variant> variants_of(const StudyContext& c, const std::string& key);

// The model as a latent-variable model; ConfigError at experiment.model.type otherwise.
LatentVariableModel& latent_model(const StudyContext& c, Experiment& e);

// The study's run "model" trained, then its RBM and its training rows in float64: where the
// studies that differentiate an RBM exactly (by enumeration) start.
struct TrainedInDouble {
  StudyRun trained;
  LatentVariableModel* model;  // trained.experiment's model
  torch::Tensor data;          // its training rows, float64
};
TrainedInDouble train_rbm_in_double(const StudyContext& c);

// The expected CD-k update of a binary model, exactly: the positive phase of `data` plus the
// negative phase of the k-step distribution q0 T^k from the data's own distribution q0
// (samplers/enumerated_chain.h). k < 0 gives the exact gradient (the model's distribution).
trainers::NamedTensors expected_cd_update(LatentVariableModel& model, const torch::Tensor& data, int64_t k);
// Every tensor flattened into one double vector.
torch::Tensor flatten(const trainers::NamedTensors& tensors);

// Renders and writes a chart to OUT/<file>; returns its path.
std::string write_chart(const StudyContext& c, const std::string& file, const reports::ChartOptions& options,
                        const std::vector<reports::Series>& series);

// "1.23e-05", the number format of headlines and criteria.
std::string figure(double x);

// A figure of signature.json as a number: NaN where it is null (a NaN or an infinity written to
// JSON) or not a number, so that every comparison a judge makes with it fails.
double as_number(const nlohmann::json& figure);

// Keys several study types share: a threshold (a number >= 0), the k of CD-k (`ks`), and the
// runs compared (`variants`: "label: KEY=VALUE KEY=VALUE" lines).
Field min_value(const std::string& name, double fallback, const std::string& help);
Field ks_field();
Field variants_field();

}  // namespace ebm::experiments
