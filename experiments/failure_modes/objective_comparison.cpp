// objective_comparison: how else can an EBM be trained? The same enumerable model and data
// trained by each objective (the exact gradient, CD-k, PCD, parallel tempering, pseudo-likelihood,
// ratio matching, minimum probability flow, NCE), one exact log-likelihood curve against wall
// time each, and the time each takes to come within `within` nats of the best value any reached.
#include <torch/torch.h>

#include <cmath>

#include "experiments/study_support.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const double within = st.get<double>("within");
  const std::string reference = st.get<std::string>("reference"), biased = st.get<std::string>("biased");
  struct Curve {
    std::string label;
    std::vector<double> seconds, ll;
    double final = 0, best = -INFINITY;
  };
  std::vector<Curve> curves;
  Signature s;
  double best = -INFINITY;
  for (const auto& v : variants_of(c, "variants")) {
    auto trained = train_for_study(c, v.label, v.overrides);
    Curve cv;
    cv.label = v.label;
    for (const auto& row : trained.run.rows) {
      const double ll = metric_of(row, "exact_ll");
      if (row.contains("rollback") || !std::isfinite(ll)) continue;
      cv.seconds.push_back(row["wall_s"].get<double>()), cv.ll.push_back(ll);
      cv.best = std::max(cv.best, ll);
    }
    cv.final = cv.ll.back();
    best = std::max(best, cv.best);
    s.runs.push_back(trained.run.dir);
    curves.push_back(cv);
  }
  std::vector<reports::Series> lines;
  const Curve *ref = nullptr, *cd = nullptr;
  for (size_t i = 0; i < curves.size(); ++i) {
    const auto& cv = curves[i];
    // The first time the curve comes within `within` of a target, or NaN if it never does.
    auto reaches = [&](double target) {
      for (size_t j = 0; j < cv.ll.size(); ++j) {
        if (cv.ll[j] >= target - within) return cv.seconds[j];
      }
      return std::nan("");
    };
    const double reached = reaches(best), own = reaches(cv.best);
    s.figures["runs"][cv.label] = {{"final_exact_ll", cv.final}, {"best_exact_ll", cv.best},
                                   {"seconds_to_within", std::isnan(reached) ? nlohmann::ordered_json() : nlohmann::ordered_json(reached)},
                                   {"seconds_to_within_own_best", own}, {"seconds", cv.seconds.back()}};
    lines.push_back({cv.label, cv.seconds, cv.ll, {}, reports::palette(i)});
    if (cv.label == reference) ref = &cv;
    if (cv.label == biased) cd = &cv;
  }
  if (ref == nullptr) st.fail("reference", "'" + reference + "' is not the label of a variant");
  if (cd == nullptr) st.fail("biased", "'" + biased + "' is not the label of a variant");
  s.figures["best_exact_ll"] = best;
  std::string ranking;
  auto order = curves;
  std::sort(order.begin(), order.end(), [](const Curve& a, const Curve& b) { return a.final > b.final; });
  for (const auto& cv : order) ranking += (ranking.empty() ? "" : ", ") + cv.label + " " + fmt::format("{:.2f}", cv.final);
  s.headline = "final exact_ll: " + ranking;
  s.picture = write_chart(c, "objectives.png", {"exact log-likelihood against wall time, by objective", "seconds", "exact_ll"}, lines);
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double within = keys.get<double>("within");
  const std::string reference = keys.get<std::string>("reference"), biased = keys.get<std::string>("biased");
  const double ref = as_number(f["runs"][reference]["final_exact_ll"]), best = as_number(f["best_exact_ll"]);
  return {{"the " + reference + " run ends within " + figure(within) + " nats of the best log-likelihood any run reached",
           ref >= best - within},
          {biased + " ends more than " + figure(within) + " below it", as_number(f["runs"][biased]["final_exact_ll"]) < ref - within}};
}

const StudyRegistration registration(
    {"objective_comparison", "exact log-likelihood against wall time for every objective on one enumerable model",
     {variants_field(), text("reference", value("exact"), "the label of the exact-gradient run"),
      text("biased", value("cd1"), "the label of a run expected to end below it"),
      number("within", value(0.1), 0, 1e6, "nats from the best that count as reached", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
