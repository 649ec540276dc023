#include "experiments/study_support.h"

#include <fmt/format.h>

#include <cctype>
#include <limits>
#include <sstream>

#include <torch/torch.h>

#include "ebm/exact_enumeration.h"
#include "samplers/enumerated_chain.h"
#include "workflow/training_run.h"

namespace ebm::experiments {

StudyRun train_for_study(const StudyContext& c, const std::string& label, const std::vector<std::string>& overrides,
                         const TrainingObserver& observer, const EnergyModelImpl* start_from) {
  // The run's directory name: the label with everything but letters, digits, '.', '-', '_' as '-'.
  std::string name = label;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_') ch = '-';
  }
  Experiment e = build_experiment(c.experiment().config(overrides), name);
  if (start_from) {
    torch::NoGradGuard no_grad;
    auto from = start_from->named_parameters();
    for (auto& item : e.model->named_parameters()) item.value().copy_(from[item.key()]);
  }
  TrainingRun run = train_new_run(e, c.path("runs/" + name), /*replace=*/true, /*quiet=*/true, observer);
  // The model as the run's checkpoint holds it: without the last step's gradients.
  for (auto& p : e.model->parameters()) p.mutable_grad().reset();
  return {run, std::move(e)};
}

Variant variant_of(const StudyContext& c, const std::string& key, const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) c.study().fail(key, "'" + text + "' is not 'label: KEY=VALUE KEY=VALUE ...'");
  Variant v{text.substr(0, colon), {}};
  std::stringstream rest(text.substr(colon + 1));
  for (std::string assignment; rest >> assignment;) v.overrides.push_back(assignment);
  return v;
}

std::vector<Variant> variants_of(const StudyContext& c, const std::string& key) {
  std::vector<Variant> out;
  for (const auto& text : c.study().get<std::vector<std::string>>(key)) out.push_back(variant_of(c, key, text));
  return out;
}

LatentVariableModel& latent_model(const StudyContext& c, Experiment& e) {
  auto* latent = dynamic_cast<LatentVariableModel*>(e.model.get());
  if (latent == nullptr) c.file.fail("experiment.model.type", "this study needs a latent-variable model (an RBM)");
  return *latent;
}

TrainedInDouble train_rbm_in_double(const StudyContext& c) {
  auto trained = train_for_study(c, "model");
  auto* model = &latent_model(c, trained.experiment);
  model->to(torch::kFloat64);
  auto data = trained.experiment.data->data().to(torch::kFloat64);
  return {std::move(trained), model, data};
}

std::string write_chart(const StudyContext& c, const std::string& file, const reports::ChartOptions& options,
                        const std::vector<reports::Series>& series) {
  const std::string path = c.path(file);
  reports::write_png(path, reports::render_chart(options, series));
  return path;
}

trainers::NamedTensors expected_cd_update(LatentVariableModel& model, const torch::Tensor& data, int64_t k) {
  auto states = all_binary_states(model.dim(), data.options().dtype(torch::kFloat64));
  torch::Tensor weights;
  if (k < 0) {
    weights = visible_log_probabilities(model).exp();
  } else {
    weights = samplers::advance(samplers::empirical_distribution(data), samplers::gibbs_transition_matrix(model), k);
  }
  auto update = trainers::positive_phase(model, data);
  auto negative = trainers::weighted_negative_phase(model, states, weights.to(states.device()));
  for (size_t i = 0; i < update.size(); ++i) update[i].second = update[i].second + negative[i].second;
  return update;
}

torch::Tensor flatten(const trainers::NamedTensors& tensors) {
  std::vector<torch::Tensor> parts;
  for (const auto& item : tensors) parts.push_back(item.second.detach().to(torch::kFloat64).cpu().reshape(-1));
  return torch::cat(parts);
}

std::string figure(double x) { return fmt::format("{:.3g}", x); }

Field min_value(const std::string& name, double fallback, const std::string& help) {
  return number(name, value(fallback), 0, 1e9, help);
}

Field ks_field() {
  return list("ks", values<int64_t>({1, 3, 10, 30, 100}), integer("k", required(), 1, 1e6, "Gibbs steps"), "the k of CD-k");
}

Field variants_field() {
  return list("variants", required(), text("variant", required(), "label: KEY=VALUE KEY=VALUE ..."),
              "the runs compared: a label, then overrides of the experiment");
}

double as_number(const nlohmann::json& figure) {
  return figure.is_number() ? figure.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace ebm::experiments
