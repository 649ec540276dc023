// likelihood_estimates: on MNIST RBMs small enough to enumerate, the annealing estimators of the
// test log-likelihood against the exact figure (trainers/annealed_likelihood.h), each repeated:
// forward AIS (E[Ẑ] = Z, a stochastic upper bound on the ll) covers it, reverse AIS from exact
// model samples (a stochastic lower bound) stays below it, and reverse AIS started at data rows
// after Gibbs sweeps lands above it: its chains stay near the data's modes, so it under-states
// log Z and is no lower bound (Burda, Grosse & Salakhutdinov 2015). RAISE is a stochastic lower
// bound on the annealing model p_ann's ll, not the RBM's: below the exact figure where p_ann is
// the RBM, which the study measures by drawing p_ann exactly (samplers/ais.h) beside exact samples
// of the RBM and comparing their hidden units' means; where the path misses part of the model,
// p_ann gives the rest, and the test rows, more probability, and RAISE can land above.
#include <torch/torch.h>

#include <cmath>

#include "ebm/exact_enumeration.h"
#include "experiments/study_support.h"
#include "trainers/annealed_likelihood.h"

namespace ebm::experiments {

namespace {

struct Estimate {
  double mean = 0, spread = 0;
  std::vector<double> repeats;
};

Estimate estimate_of(const trainers::Metrics& m, const std::string& key) {
  return {m[key].get<double>(), m[key + "_spread"].get<double>(), m[key + "_repeats"].get<std::vector<double>>()};
}

nlohmann::ordered_json figures_of(const Estimate& e, double exact) {
  return {{"ll", e.mean}, {"spread", e.spread}, {"minus_exact", e.mean - exact}, {"repeats", e.repeats}};
}

Signature measure(const StudyContext& c) {
  const auto study = c.study();
  const int64_t rows = study.get<int64_t>("rows");
  const auto base = trainers::AnnealingOptions()
                        .ais(samplers::AISOptions().chains(study.get<int64_t>("chains")).betas(study.get<int64_t>("betas")))
                        .repeats(study.get<int64_t>("repeats"))
                        .burn_in(study.get<int64_t>("burn_in"));
  auto raise_options = base;
  raise_options.ais().betas(study.get<int64_t>("raise_betas"));

  Signature s;
  std::vector<reports::Series> series;
  std::string headline;
  int model_index = 0;
  for (const auto& variant : variants_of(c, "variants")) {
    auto trained = train_for_study(c, variant.label, variant.overrides);
    auto& model = latent_model(c, trained.experiment);
    const torch::Tensor held_out = trained.experiment.data->evaluation_split().data();
    const datasets::Dataset test(held_out.slice(0, 0, std::min(rows, held_out.size(0))), "test rows");
    const auto& train_rows = trained.experiment.data->data();
    auto from_exact = trainers::AISLogLikelihood(trainers::AnnealingOptions(base).reverse("exact"), train_rows).evaluate(model, test);
    // The evaluator enumerates log Z already (2^20 states are seconds each).
    const double exact = mean_log_likelihood(model, test.data(), from_exact["exact_log_z"].get<double>());
    auto from_data = trainers::AISLogLikelihood(trainers::AnnealingOptions(base).reverse("data").forward(false), train_rows).evaluate(model, test);
    auto raised = trainers::RAISELogLikelihood(raise_options, train_rows).evaluate(model, test);
    // How far p_ann (RAISE's schedule) is from the RBM: each hidden unit's mean under draws of
    // each, and the mean number of visible units on (the test rows' beside them).
    const int64_t draws = study.get<int64_t>("path_samples");
    const auto annealed = samplers::annealing_model_samples(model, train_rows, draws, raise_options.ais());
    const auto exact_draws = exact_samples(model, 10 * draws);
    auto hidden_means = [&](const torch::Tensor& v) { return model.hidden_mean(v.to(held_out.options())).to(torch::kFloat64).mean(0); };
    auto units_on = [](const torch::Tensor& v) { return v.sum(1).to(torch::kFloat64).mean().item<double>(); };
    const double path_gap = (hidden_means(annealed) - hidden_means(exact_draws)).abs().max().item<double>();
    const auto forward = estimate_of(from_exact, "ais_ll"), reverse = estimate_of(from_exact, "ais_ll_reverse"),
               reverse_from_data = estimate_of(from_data, "ais_ll_reverse_from_data"), raise = estimate_of(raised, "raise_ll");

    s.figures["models"][variant.label] = {
        {"exact_ll", exact},
        {"forward_ais", figures_of(forward, exact)},
        {"forward_ais_ess", from_exact["ais_ess"]},
        {"forward_ais_delta_stderr", from_exact["ais_log_z_stderr"]},
        {"reverse_ais_from_exact_samples", figures_of(reverse, exact)},
        {"reverse_ais_from_data", figures_of(reverse_from_data, exact)},
        {"raise", figures_of(raise, exact)},
        {"annealing_model", {{"hidden_mean_gap", path_gap},
                             {"units_on", {{"rbm", units_on(exact_draws)}, {"annealing_model", units_on(annealed)},
                                           {"test_rows", units_on(test.data())}}}}}};
    s.runs.push_back(trained.run.dir);
    headline += fmt::format("{}{}: reverse from data {:+.2f} nats above exact, RAISE {:+.2f} (p_ann's hidden means {:.2f} off)",
                            headline.empty() ? "" : "; ", variant.label, reverse_from_data.mean - exact, raise.mean - exact, path_gap);

    // Every repeat of each estimator, in nats from the exact figure, one column per estimator.
    const double x0 = 5.0 * model_index++;
    auto points = [&](const std::string& name, const Estimate& e, double x, int color) {
      reports::Series out{model_index == 1 ? name : "", {}, {}, {}, reports::palette(color)};
      out.markers = true;
      for (double r : e.repeats) out.x.push_back(x0 + x), out.y.push_back(r - exact);
      return out;
    };
    series.push_back(points("forward AIS", forward, 0, 0));
    series.push_back(points("reverse AIS from exact samples", reverse, 1, 1));
    series.push_back(points("RAISE", raise, 2, 2));
    series.push_back(points("reverse AIS from data (no bound)", reverse_from_data, 3, 3));
  }
  series.push_back({"exact", {0}, {0}, {}, reports::Color{0, 0, 0}, false, true});
  s.figures["rows"] = rows;
  s.figures["settings"] = {{"chains", study.get<int64_t>("chains")}, {"betas", study.get<int64_t>("betas")},
                           {"raise_betas", study.get<int64_t>("raise_betas")}, {"repeats", study.get<int64_t>("repeats")},
                           {"burn_in", study.get<int64_t>("burn_in")}, {"path_samples", study.get<int64_t>("path_samples")}};
  s.headline = headline;
  std::string groups;
  for (const auto& variant : variants_of(c, "variants")) groups += (groups.empty() ? "" : ", ") + variant.label;
  s.picture = write_chart(c, "estimates.png",
                          {"log-likelihood estimates minus the exact figure, every repeat",
                           "four columns per model (" + groups + "): forward, reverse exact, RAISE, reverse data",
                           "nats from exact"},
                          series);
  return s;
}

// Each clause allows for the estimators' own noise: the standard error of the repeats' mean for
// forward AIS, whose bias is small beside it with enough betas, and for reverse AIS from data; a
// repeat's spread for the lower bounds' single values. Reverse AIS from exact samples must hold
// on every model; RAISE, whose guarantee is about p_ann, on every model where p_ann is the RBM
// within max_path_gap (and there must be one); one model where reverse AIS from data lands above
// the truth shows it is no bound.
std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double max_gap = keys.get<double>("max_gap"), max_path_gap = keys.get<double>("max_path_gap");
  bool forward_covers = !f["models"].empty(), reverse_below = true, raise_below = true, raise_judged = false, data_above = false;
  for (auto& [label, m] : f["models"].items()) {
    const double exact = as_number(m["exact_ll"]);
    const double n = static_cast<double>(m["forward_ais"]["repeats"].size());
    auto& forward = m["forward_ais"];
    forward_covers = forward_covers && std::abs(as_number(forward["ll"]) - exact) <= 2 * as_number(forward["spread"]) / std::sqrt(n) + 0.01;
    auto bound_holds = [&](nlohmann::json& e) {  // below in every repeat, not vacuously far
      bool below = as_number(e["ll"]) > exact - max_gap;
      for (auto& r : e["repeats"]) below = below && as_number(r) <= exact + 2 * as_number(e["spread"]);
      return below;
    };
    reverse_below = reverse_below && bound_holds(m["reverse_ais_from_exact_samples"]);
    if (as_number(m["annealing_model"]["hidden_mean_gap"]) <= max_path_gap) {
      raise_judged = true;
      raise_below = raise_below && bound_holds(m["raise"]);
    }
    auto& from_data = m["reverse_ais_from_data"];
    data_above = data_above || as_number(from_data["ll"]) - exact > 2 * as_number(from_data["spread"]) / std::sqrt(n);
  }
  const std::string not_vacuous = ", their mean less than " + figure(max_gap) + " nats below";
  return {{"on every model, forward AIS's repeats' mean within two standard errors (+0.01) of the exact figure", forward_covers},
          {"every repeat of reverse AIS from exact samples below it (within two spreads)" + not_vacuous, reverse_below},
          {"every repeat of RAISE below it (within two spreads)" + not_vacuous + ", on every model whose annealing model "
           "is the RBM (each hidden unit's mean within " + figure(max_path_gap) + " of the RBM's), and there is one",
           raise_below && raise_judged},
          {"on at least one model, reverse AIS from data above it by more than two standard errors (one such model shows it "
           "is no bound)",
           data_above}};
}

const StudyRegistration registration(
    {"likelihood_estimates",
     "annealing estimators against the exact test log-likelihood: reverse AIS from data lands above it, RAISE below "
     "where the annealing model is the RBM",
     {variants_field(), integer("rows", value(1000), 1, 1e7, "test rows every estimate averages (the first of the held-out set)"),
      integer("chains", value(100), 2, 1e7, "AIS chains"),
      integer("betas", value(10000), 1, 1e9, "AIS intermediate distributions"),
      integer("raise_betas", value(10000), 1, 1e9, "RAISE intermediate distributions"),
      integer("repeats", value(5), 2, 1e4, "independent runs of each estimator"),
      integer("burn_in", value(1000), 0, 1e9, "reverse AIS from data: Gibbs sweeps from data rows first"),
      integer("path_samples", value(1000), 10, 1e7, "draws of the annealing model (and ten times as many of the RBM) to compare"),
      number("max_gap", value(3.0), 0, 1e6, "a lower bound's mean may lie at most this far below the exact figure (nats)"),
      number("max_path_gap", value(0.1), 0, 1, "RAISE is held below the exact figure where no hidden unit's mean under the "
             "annealing model is further than this from the RBM's")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
