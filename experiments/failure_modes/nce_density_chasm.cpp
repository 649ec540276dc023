// nce_density_chasm: noise-contrastive estimation fails when the noise is far from the data
// (Rhodes, Xu & Gutmann 2020, "Telescoping density-ratio estimation"). A Gaussian model of data
// N(mu, I) is trained by NCE with noise N(0, I), for mu chosen so that
//   KL(data || noise) = |mu|^2 / 2
// runs from under a nat to tens of nats, all with the same budget; the errors of the estimated
// mean |mu_hat - mu| and log-normaliser |c_hat - 0| (the model is normalised, so the truth is 0)
// grow with the KL, while noise fitted to the data (a Gaussian with the data's moments) keeps
// them small. In both, the model starts where its noise is: N(0, I), or the data's moments. The KL at which the error first exceeds `threshold` is reported.
#include <torch/torch.h>

#include <cmath>

#include "experiments/study_support.h"

namespace ebm::experiments {

namespace {

struct Estimate {
  double mean_error, log_z_error;
  std::string run;
};

// NCE with `noise`, the model starting where the noise is (model.init: standard = N(0, I), data =
// the data's moments, which the fitted noise has too).
Estimate fit(const StudyContext& c, const std::string& label, double offset, const std::string& noise,
             const std::string& init = "standard") {
  auto trained = train_for_study(c, label, {"data.offset=" + figure(offset), "objective.noise=" + noise, "model.init=" + init});
  const auto gaussian = trained.experiment.model->gaussian_mixture_form();
  if (!gaussian || gaussian->weights.size(0) != 1) c.file.fail("experiment.model.type", "nce_density_chasm needs a gaussian model");
  const auto mean = gaussian->means[0];
  auto truth = torch::zeros_like(mean);
  truth[0] = offset;
  const double log_z = trained.run.summary["final"].value("nce_log_z", NAN);
  return {(mean - truth).norm().item<double>(), std::abs(log_z), trained.run.dir};
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const double threshold = st.get<double>("threshold");
  Signature s;
  reports::Series far{"noise N(0, I): log-normaliser error", {}, {}, {}, reports::palette(0), true};
  reports::Series far_mean{"noise N(0, I): mean error", {}, {}, {}, reports::palette(1), true};
  reports::Series fitted{"noise fitted to the data: larger of the two", {}, {}, {}, reports::palette(2), true};
  double first_failure = NAN, worst_fitted = 0, first_error = 0, last_error = 0;
  for (double kl : st.get<std::vector<double>>("kls")) {
    const double offset = std::sqrt(2 * kl);
    auto standard = fit(c, "kl-" + figure(kl) + "-standard", offset, "standard_normal", "standard");
    auto matched = fit(c, "kl-" + figure(kl) + "-fitted", offset, "gaussian", "data");
    const double error = std::max(standard.mean_error, standard.log_z_error);
    const double fitted_error = std::max(matched.mean_error, matched.log_z_error);
    if (far.x.empty()) first_error = error;
    last_error = error;
    if (std::isnan(first_failure) && error > threshold) first_failure = kl;
    worst_fitted = std::max(worst_fitted, fitted_error);
    s.figures["kl " + figure(kl)] = {{"standard_noise", {{"mean_error", standard.mean_error}, {"log_z_error", standard.log_z_error}}},
                                     {"fitted_noise", {{"mean_error", matched.mean_error}, {"log_z_error", matched.log_z_error}}}};
    s.runs.push_back(standard.run), s.runs.push_back(matched.run);
    far.x.push_back(kl), far.y.push_back(standard.log_z_error);
    far_mean.x.push_back(kl), far_mean.y.push_back(standard.mean_error);
    fitted.x.push_back(kl), fitted.y.push_back(fitted_error);
  }
  s.figures["kl_where_error_first_exceeds_threshold"] = std::isnan(first_failure) ? nlohmann::ordered_json() : nlohmann::ordered_json(first_failure);
  s.figures["worst_fitted_noise_error"] = worst_fitted;
  s.headline = fmt::format("NCE error {} at KL {} -> {} at KL {}; first above {} at KL {}; fitted noise at most {}", figure(first_error),
                           figure(far.x.front()), figure(last_error), figure(far.x.back()), figure(threshold),
                           figure(first_failure), figure(worst_fitted));
  reports::ChartOptions chart{"NCE across a density chasm: estimation error against KL(data || noise)", "KL (nats)", "error"};
  chart.log_x = true;
  s.picture = write_chart(c, "nce_chasm.png", chart, {far, far_mean, fitted});
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double threshold = keys.get<double>("threshold");
  const auto kls = keys.get<std::vector<double>>("kls");
  const auto error = [&](double kl) {
    const auto& standard = f["kl " + figure(kl)]["standard_noise"];
    return std::max(as_number(standard["mean_error"]), as_number(standard["log_z_error"]));
  };
  return {{"with noise N(0, I), the larger of the mean and log-normaliser errors is below " + figure(threshold) +
               " at the smallest KL",
           error(kls.front()) < threshold},
          {"and above it at the largest", error(kls.back()) > threshold},
          {"with fitted noise it stays below at every KL", as_number(f["worst_fitted_noise_error"]) < threshold}};
}

const StudyRegistration registration(
    {"nce_density_chasm", "NCE's errors grow with KL(data || noise); noise fitted to the data keeps them small",
     {list("kls", values<double>({0.5, 2, 5, 10, 20, 50}), number("kl", required(), 0, 1e6, "nats", true),
           "KL(data || noise) of each pair of runs, increasing"),
      number("threshold", value(0.1), 0, 1e6, "the error that counts as failed", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
