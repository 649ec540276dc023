// score_matching_blindness: score matching cannot see how much mass sits in separated modes
// (Wenliang & Kanagawa 2020). The weight w of w N(-s/2, 1) + (1 - w) N(s/2, 1), means and widths
// known (model.type: mixture_weights), is fitted by score matching, NCE and maximum likelihood
// at separations s, several seeds each. The score ∇ log p depends on w only where the modes
// overlap, which separated modes leave empty, so score matching's error grows with s; maximum
// likelihood's stays at its standard error sqrt(w (1 - w) / n) at every separation. With `neural`,
// a neural energy is also trained (by denoising score matching, say) on the mixture, and the
// share of its density on the first mode's side is measured by grid quadrature (2-D data).
#include <torch/torch.h>

#include <cmath>

#include "ebm/grid_quadrature.h"
#include "experiments/study_support.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const auto separations = st.get<std::vector<double>>("separations");
  const auto objectives = variants_of(c, "objectives");
  const int64_t seeds = st.get<int64_t>("seeds");
  const double w = c.file.get<std::vector<double>>("experiment.data.weights").at(0) /
                   (c.file.get<std::vector<double>>("experiment.data.weights").at(0) +
                    c.file.get<std::vector<double>>("experiment.data.weights").at(1));
  const double n = static_cast<double>(c.file.get<int64_t>("experiment.data.train_size"));
  const double standard_error = std::sqrt(w * (1 - w) / n);
  Signature s;
  std::vector<reports::Series> series;
  std::map<std::string, std::vector<double>> rms;
  for (size_t o = 0; o < objectives.size(); ++o) {
    reports::Series line{objectives[o].label + " RMS error", {}, {}, {}, reports::palette(o), true};
    for (double sep : separations) {
      std::vector<double> estimates;
      for (int64_t seed = 1; seed <= seeds; ++seed) {
        auto overrides = objectives[o].overrides;
        overrides.push_back("data.separation=" + figure(sep));
        overrides.push_back("seed=" + std::to_string(seed));
        auto trained = train_for_study(c, objectives[o].label + "-s" + figure(sep) + "-seed" + std::to_string(seed), overrides);
        const auto mixture = trained.experiment.model->gaussian_mixture_form();
        if (!mixture) c.file.fail("experiment.model.type", "score_matching_blindness needs model.type: mixture_weights");
        estimates.push_back(mixture->weights[0].item<double>());
        s.runs.push_back(trained.run.dir);
      }
      double sq = 0, mean = 0;
      for (double e : estimates) sq += (e - w) * (e - w), mean += e / estimates.size();
      double spread = 0;
      for (double e : estimates) spread += (e - mean) * (e - mean) / std::max<size_t>(1, estimates.size() - 1);
      const double error = std::sqrt(sq / estimates.size());
      s.figures[objectives[o].label]["separation " + figure(sep)] = {{"estimates", estimates}, {"rms_error", error},
                                                                      {"spread", std::sqrt(spread)}, {"mean", mean}};
      rms[objectives[o].label].push_back(error);
      line.x.push_back(sep), line.y.push_back(error);
    }
    series.push_back(line);
  }
  reports::Series floor{"sqrt(w(1-w)/n)", separations, std::vector<double>(separations.size(), standard_error), {}, reports::palette(7)};
  series.push_back(floor);
  const std::string blind = st.get<std::string>("blind"), reference = st.get<std::string>("reference");
  if (!rms.count(blind)) st.fail("blind", "'" + blind + "' is not the label of an objective");
  if (!rms.count(reference)) st.fail("reference", "'" + reference + "' is not the label of an objective");
  s.figures["ml_standard_error"] = standard_error;
  const std::string neural = st.get<std::string>("neural");
  if (!neural.empty()) {
    // The neural energy's mass on each side of the midpoint between the means, by quadrature.
    const auto v = variant_of(c, "neural", neural);
    auto trained = train_for_study(c, v.label, v.overrides);
    Experiment& e = trained.experiment;
    const auto truth = e.truth ? e.truth->gaussian_mixture_form() : std::nullopt;
    if (!truth || e.model->dim() != 2) st.fail("neural", "the neural run needs 2-D mixture data");
    torch::NoGradGuard no_grad;
    auto p = torch::softmax(grid_negative_energies(*e.model, e.grid).to(torch::kFloat64).reshape(-1), 0);
    auto x = grid_points(e.grid).select(1, 0);
    auto means = truth->means.to(torch::kFloat64).select(1, 0);
    const double middle = means.mean().item<double>();
    const bool first_low = means[0].item<double>() < middle;
    const double share = p.masked_select(first_low ? x < middle : x > middle).sum().item<double>();
    s.figures["neural"] = {{"label", v.label}, {"first_mode_share", share}, {"exact", w},
                           {"grid_ll", trained.run.summary["final"].value("grid_ll", NAN)}, {"run", trained.run.dir}};
    s.runs.push_back(trained.run.dir);
  }
  s.headline = fmt::format("RMS error of the weight at separation {} -> {}: {} {} -> {}, {} {} -> {} (standard error {})",
                           figure(separations.front()), figure(separations.back()), blind, figure(rms[blind].front()),
                           figure(rms[blind].back()), reference, figure(rms[reference].front()), figure(rms[reference].back()),
                           figure(standard_error));
  s.picture = write_chart(c, "score_matching_blindness.png",
                          {"error of the fitted mode weight against the modes' separation", "separation (stds)", "RMS error"},
                          series);
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const auto separations = keys.get<std::vector<double>>("separations");
  const std::string blind = keys.get<std::string>("blind"), reference = keys.get<std::string>("reference");
  const double factor = keys.get<double>("min_factor"), standard_error = as_number(f["ml_standard_error"]);
  const auto rms = [&](const std::string& label, double separation) {
    return as_number(f[label]["separation " + figure(separation)]["rms_error"]);
  };
  bool reference_ok = true;
  for (double separation : separations) reference_ok = reference_ok && rms(reference, separation) < 2.5 * standard_error;
  std::vector<Check> checks = {
      {blind + "'s RMS error grows from the smallest to the largest separation",
       rms(blind, separations.back()) > rms(blind, separations.front())},
      {"and there exceeds " + figure(factor) + " x " + reference + "'s",
       rms(blind, separations.back()) > factor * rms(reference, separations.back())},
      {reference + "'s stays below 2.5 x sqrt(w(1-w)/n) at every separation", reference_ok}};
  if (!keys.get<std::string>("neural").empty()) {
    checks.push_back({"the neural energy's share of the first mode is more than 3 standard errors off",
                      std::abs(as_number(f["neural"]["first_mode_share"]) - as_number(f["neural"]["exact"])) > 3 * standard_error});
  }
  return checks;
}

const StudyRegistration registration(
    {"score_matching_blindness", "score matching cannot weigh separated modes; maximum likelihood can",
     {list("separations", values<double>({2, 4, 6, 8, 10}), number("s", required(), 0, 1e4, "stds", true),
           "distances between the two means, increasing"),
      list("objectives", required(), text("objective", required(), "label: KEY=VALUE ..."), "the fits compared"),
      integer("seeds", value(5), 1, 1000, "runs per objective and separation (seeds 1, 2, ...)"),
      text("blind", value("sm"), "the label of the score-matching fit"),
      text("reference", value("ml"), "the label of the maximum-likelihood fit"),
      number("min_factor", value(3.0), 0, 1e9, "how many times the reference's error the blind one must reach", true),
      text("neural", value(""), "optional 'label: KEY=VALUE ...': a neural energy trained on 2-D mixture data, its mode "
                                "share by grid quadrature; empty = none")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
