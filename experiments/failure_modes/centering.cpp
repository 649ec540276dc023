// centering: a plain Bernoulli RBM is not invariant to flipping its data (v -> 1 - v), though
// the flipped data set is the same problem with relabelled pixels: its gradient <v h^T>_data -
// <v h^T>_model mixes the mean of v into the weights' update, and on flipped MNIST (mostly ones)
// that mixing is large, so plain training falls far behind. The centred RBM (Melchior, Fischer &
// Wiskott 2016; ebm/layered_rbm.h) subtracts the offsets first; its update is equivariant to
// the flip, and it scores the same on both. Four runs: plain and centred, on the data and on
// its flip; the exact test log-likelihood (enumerating the hidden layer) of each, averaged over
// the log steps of the second half of training.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "experiments/study_support.h"
#include "reports/pictures.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  struct Arm {
    std::string label;
    bool centered, flipped;
  };
  const std::vector<Arm> arms = {{"plain", false, false}, {"plain_flipped", false, true},
                                 {"centered", true, false}, {"centered_flipped", true, true}};
  Signature s;
  std::map<std::string, double> ll;
  std::vector<reports::Series> curves;
  std::vector<reports::Image> filters;
  for (size_t i = 0; i < arms.size(); ++i) {
    const auto& arm = arms[i];
    auto trained = train_for_study(c, arm.label, {std::string("model.centered=") + (arm.centered ? "true" : "false"),
                                                  std::string("data.flip=") + (arm.flipped ? "true" : "false")});
    if (trained.run.primary_metric != "exact_ll") SectionConfig(c.file, "experiment").fail("eval", "the study needs eval.exact_ll: true");
    reports::Series curve{arm.label, {}, {}, {}, reports::palette(i)};
    for (const auto& row : trained.run.rows) {
      if (row.contains("rollback") || !row.contains("exact_ll")) continue;
      curve.x.push_back(row["step"].get<double>()), curve.y.push_back(row["exact_ll"].get<double>());
    }
    curves.push_back(curve);
    // The mean over the second half of training: a plain RBM on flipped data swings by tens of
    // nats from one log step to the next, so its last value alone says little.
    double late = 0;
    int64_t count = 0;
    for (size_t k = 0; k < curve.x.size(); ++k) {
      if (2 * curve.x[k] > curve.x.back()) late += curve.y[k], ++count;
    }
    ll[arm.label] = late / static_cast<double>(std::max<int64_t>(count, 1));
    s.figures[arm.label] = {{"late_mean_exact_ll", ll[arm.label]},
                            {"final_exact_ll", trained.run.summary["final"]["exact_ll"].get<double>()},
                            {"run", trained.run.dir}};
    s.runs.push_back(trained.run.dir);
    // The weights of each hidden unit as an image.
    auto& model = latent_model(c, trained.experiment);
    const auto w = model.named_parameters()["weight"];
    const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(w.size(0)))));
    if (side * side == w.size(0)) filters.push_back(reports::filter_grid(w, side, side, w.size(1), w.size(1), 2));
  }
  const double plain_gap = ll["plain"] - ll["plain_flipped"], centered_gap = ll["centered"] - ll["centered_flipped"];
  s.figures["plain_gap"] = plain_gap;
  s.figures["centered_gap"] = centered_gap;
  s.headline = fmt::format("exact test log-likelihood, mean over the second half: plain {} -> {} flipped (gap {}); centred {} -> {} (gap {})",
                           figure(ll["plain"]), figure(ll["plain_flipped"]), figure(plain_gap), figure(ll["centered"]),
                           figure(ll["centered_flipped"]), figure(centered_gap));
  std::vector<reports::Image> panels = {
      reports::render_chart({"exact test log-likelihood: plain and centred RBMs, data and flipped data", "update", "exact_ll"}, curves)};
  panels.insert(panels.end(), filters.begin(), filters.end());
  s.picture = c.path("centering.png");
  reports::write_png(s.picture, reports::stack_vertically(panels));
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double min_gap = keys.get<double>("min_plain_gap"), max_gap = keys.get<double>("max_centered_gap");
  const auto ll = [&](const char* arm) { return as_number(f[arm]["late_mean_exact_ll"]); };
  return {{"flipping the data costs the plain RBM more than " + figure(min_gap) + " nats", as_number(f["plain_gap"]) > min_gap},
          {"and the centred RBM less than " + figure(max_gap), std::abs(as_number(f["centered_gap"])) < max_gap},
          {"on the flipped data the centred RBM leads by more than " + figure(min_gap),
           ll("centered_flipped") > ll("plain_flipped") + min_gap}};
}

const StudyRegistration registration(
    {"centering", "a plain RBM loses far more to flipped data (1 - v) than a centred one, which loses nothing",
     {number("min_plain_gap", value(5.0), 0, 1e9, "nats the plain RBM must lose to the flip (and trail the centred one by)"),
      number("max_centered_gap", value(1.0), 0, 1e9, "nats the centred RBM may differ by", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
