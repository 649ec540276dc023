// short_run_out_of_equilibrium: training with k-step chains from random starts (no persistence)
// teaches the model to produce good samples at exactly k steps, not a model whose equilibrium is
// the data (Nijkamp et al. 2019; Decelle, Furtlehner & Seoane 2021; Agoritsas et al. 2023). For
// each trained model, exactly (the chain enumerated, samplers/enumerated_chain.h):
//   TV(p_data, q0 T^k')   for k' = 1 ... large,  q0 = the noise the chains start from (coin flips),
// and TV(p_data, p_model), the limit. The short-run model's distance is smallest near k' = k and
// grows for k' >> k; a persistent-chain model's does not degrade with more steps.
#include <torch/torch.h>

#include "ebm/exact_enumeration.h"
#include "experiments/study_support.h"
#include "samplers/enumerated_chain.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const auto variants = variants_of(c, "variants");
  const auto steps = st.get<std::vector<int64_t>>("sample_steps");
  const std::string short_label = st.get<std::string>("short_run"), persistent_label = st.get<std::string>("persistent");
  const int64_t k = st.get<int64_t>("train_k");
  Signature s;
  std::vector<reports::Series> series;
  bool found_short = false, found_persistent = false;
  for (size_t i = 0; i < variants.size(); ++i) {
    auto trained = train_for_study(c, variants[i].label, variants[i].overrides);
    auto& model = latent_model(c, trained.experiment);
    model.to(torch::kFloat64);
    auto data = samplers::empirical_distribution(trained.experiment.data->data());
    auto transition = samplers::gibbs_transition_matrix(model);
    auto q = torch::full({transition.size(0)}, 1.0 / static_cast<double>(transition.size(0)), torch::kFloat64);
    reports::Series line{variants[i].label, {}, {}, {}, reports::palette(i), true};
    nlohmann::ordered_json row;
    int64_t done = 0, best_step = 0;
    double best = 1e9, at_k = -1;
    for (int64_t t : steps) {
      q = samplers::advance(q, transition, t - done);
      done = t;
      const double tv = samplers::total_variation(data, q);
      row[std::to_string(t)] = tv;
      line.x.push_back(static_cast<double>(t)), line.y.push_back(tv);
      if (tv < best) best = tv, best_step = t;
      if (t == k) at_k = tv;
    }
    if (at_k < 0) st.fail("sample_steps", "must include train_k = " + std::to_string(k));
    const double equilibrium = samplers::total_variation(data, visible_log_probabilities(model).exp());
    const double last = line.y.back();
    s.figures[variants[i].label] = {{"tv_by_steps", row}, {"tv_model_equilibrium", equilibrium},
                                    {"best_steps", best_step}, {"tv_at_train_k", at_k}};
    s.runs.push_back(trained.run.dir);
    if (variants[i].label == short_label) {
      found_short = true;
      s.headline += fmt::format("{}: TV {} at {} steps -> {} at {}; ", short_label, figure(best), best_step, figure(last), steps.back());
    }
    if (variants[i].label == persistent_label) {
      found_persistent = true;
      s.headline += fmt::format("{}: TV {} at {} -> {} at {}", persistent_label, figure(at_k), k, figure(last), steps.back());
    }
    series.push_back(line);
  }
  if (!found_short) st.fail("short_run", "'" + short_label + "' is not the label of a variant");
  if (!found_persistent) st.fail("persistent", "'" + persistent_label + "' is not the label of a variant");
  reports::ChartOptions chart{"total variation between the data and k'-step samples from noise (exact)",
                              "k' (Gibbs steps from coin flips)", "TV(data, samples)"};
  chart.log_x = true;
  s.picture = write_chart(c, "short_run.png", chart, series);
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const int64_t k = keys.get<int64_t>("train_k");
  const double margin = keys.get<double>("min_degradation");
  const std::string largest = std::to_string(keys.get<std::vector<int64_t>>("sample_steps").back());
  auto& short_run = f[keys.get<std::string>("short_run")];
  auto& persistent = f[keys.get<std::string>("persistent")];
  double best = INFINITY;
  for (const auto& [steps, tv] : short_run["tv_by_steps"].items()) best = std::min(best, as_number(tv));
  return {{"the short-run model's TV(data, k'-step samples from noise) is smallest at k' <= 3 x train_k",
           as_number(short_run["best_steps"]) <= 3.0 * static_cast<double>(k)},
          {"at the largest k' it exceeds that minimum by more than " + figure(margin),
           as_number(short_run["tv_by_steps"][largest]) > best + margin},
          {"the persistent model's at the largest k' is at most 0.02 above its value at train_k",
           as_number(persistent["tv_by_steps"][largest]) <= as_number(persistent["tv_at_train_k"]) + 0.02}};
}

const StudyRegistration registration(
    {"short_run_out_of_equilibrium",
     "short-run noise-started training: samples best at the trained k, worse with more steps (exact chain)",
     {variants_field(), text("short_run", value("short_run"), "the label of the short-run (noise-started) variant"),
      text("persistent", value("pcd"), "the label of the persistent-chain variant"),
      integer("train_k", value(5), 1, 1e6, "the k the short-run variant trains with"),
      list("sample_steps", values<int64_t>({1, 2, 5, 10, 20, 50, 100, 1000, 10000}),
           integer("k", required(), 1, 1e7, "steps"), "the k' at which samples are compared to the data (increasing)"),
      number("min_degradation", value(0.05), 0, 1, "how much the short-run TV must grow past its minimum")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
