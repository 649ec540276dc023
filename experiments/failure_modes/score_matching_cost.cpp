// score_matching_cost: why sliced and denoising score matching exist. Exact score matching
// (Hyvärinen 2005) needs tr(∇²E), one backward pass per dimension, so its step costs O(d);
// sliced (Song et al. 2019) projects on random directions and denoising (Vincent 2011) matches
// the score of noisy data: both cost O(1) passes. Measured: ms per training step of the
// experiment's model for each objective at each dimension, and the slope of log time against
// log dimension over the dimensions from slope_from on. The cheap objectives are not flat in
// absolute terms: the first layer's product grows with d for every objective (so exact score
// matching, d passes of it, grows faster than d). Their price: at one dimension,
// repeated gradient estimates of sliced and denoising score matching against the exact
// objective's gradient on the same batch, relative spread and relative bias.
#include <torch/torch.h>

#include <cmath>

#include "workflow/step_timer.h"
#include "experiments/study_support.h"

namespace ebm::experiments {

namespace {

const std::vector<std::string> kObjectives = {"score_matching", "sliced_score_matching", "denoising_score_matching"};

// Least-squares slope of y against x.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i] / x.size(), my += y[i] / y.size();
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
  return sxy / sxx;
}

torch::Tensor gradient(Experiment& e, const torch::Tensor& batch) {
  e.model->zero_grad();
  e.objective->compute(*e.model, batch).loss.backward();
  std::vector<torch::Tensor> parts;
  // A parameter no score reaches (the output bias) has no gradient: zero.
  for (auto& p : e.model->parameters()) {
    parts.push_back(p.grad().defined() ? p.grad().detach().to(torch::kFloat64).reshape(-1).clone()
                                       : torch::zeros({p.numel()}, torch::kFloat64));
  }
  return torch::cat(parts);
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const auto dims = st.get<std::vector<int64_t>>("dims");
  const int64_t slope_from = st.get<int64_t>("slope_from"), min_steps = st.get<int64_t>("min_steps");
  Signature s;
  std::vector<reports::Series> series;
  std::map<std::string, double> slopes;
  for (size_t o = 0; o < kObjectives.size(); ++o) {
    reports::Series line{kObjectives[o], {}, {}, {}, reports::palette(o), true};
    std::vector<double> log_d, log_t;
    for (int64_t d : dims) {
      Experiment e = build_experiment(c.experiment().config({"data.dim=" + std::to_string(d), "objective.type=" + kObjectives[o]}),
                                      "score_matching_cost");
      auto batch = e.data->data().slice(0, 0, e.train_options.batch_size()).to(e.device);
      auto step = [&] {
        e.optimizer->zero_grad();
        e.objective->compute(*e.model, batch).loss.backward();
        e.optimizer->step();
      };
      const double ms = 1e3 * seconds_per_step(step, min_steps, st.get<double>("min_seconds"));
      s.figures["ms_per_step"][kObjectives[o]][std::to_string(d)] = ms;
      line.x.push_back(std::log10(static_cast<double>(d))), line.y.push_back(std::log10(ms));
      if (d >= slope_from) log_d.push_back(std::log(static_cast<double>(d))), log_t.push_back(std::log(ms));
    }
    slopes[kObjectives[o]] = slope(log_d, log_t);
    s.figures["slope"][kObjectives[o]] = slopes[kObjectives[o]];
    series.push_back(line);
  }

  // The price: spread and bias of the cheap estimators' gradients against the exact one.
  const int64_t d = st.get<int64_t>("variance_dim"), repeats = st.get<int64_t>("repeats");
  Experiment exact = build_experiment(c.experiment().config({"data.dim=" + std::to_string(d), "objective.type=score_matching"}),
                                      "score_matching_cost");
  auto batch = exact.data->data().slice(0, 0, exact.train_options.batch_size()).to(exact.device);
  auto g = gradient(exact, batch);
  for (const std::string name : {"sliced_score_matching", "denoising_score_matching"}) {
    Experiment e = build_experiment(c.experiment().config({"data.dim=" + std::to_string(d), "objective.type=" + name}),
                                    "score_matching_cost");
    std::vector<torch::Tensor> estimates;
    for (int64_t r = 0; r < repeats; ++r) estimates.push_back(gradient(e, batch));
    auto stacked = torch::stack(estimates);
    auto mean = stacked.mean(0);
    s.figures["gradient_vs_exact"][name] = {
        {"relative_spread", ((stacked - mean).pow(2).sum(1).mean().sqrt() / g.norm()).item<double>()},
        {"relative_bias", ((mean - g).norm() / g.norm()).item<double>()},
        {"cosine_of_one_estimate", torch::nn::functional::cosine_similarity(stacked, g.unsqueeze(0),
                                                                             torch::nn::functional::CosineSimilarityFuncOptions().dim(1))
                                       .mean()
                                       .item<double>()}};
  }
  s.figures["variance_dim"] = d;
  const auto& ms = s.figures["ms_per_step"];
  const std::string first = std::to_string(dims.front()), last = std::to_string(dims.back());
  s.headline = fmt::format("slope of log time on log d: exact {}, sliced {}, denoising {}; ms/step at d={}: exact {}, sliced {}, "
                           "denoising {}",
                           figure(slopes["score_matching"]), figure(slopes["sliced_score_matching"]),
                           figure(slopes["denoising_score_matching"]), last, figure(ms["score_matching"][last].get<double>()),
                           figure(ms["sliced_score_matching"][last].get<double>()),
                           figure(ms["denoising_score_matching"][last].get<double>()));
  s.picture = write_chart(c, "score_matching_cost.png",
                          {"training step time against dimension", "log10 dimension", "log10 ms per step"}, series);
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double exact_min = keys.get<double>("min_exact_slope"), cheap_max = keys.get<double>("max_cheap_slope");
  auto& slopes = f["slope"];
  auto& gradients = f["gradient_vs_exact"];
  const double max_sliced = keys.get<double>("max_sliced_bias"), min_denoising = keys.get<double>("min_denoising_bias");
  return {{"from d = " + std::to_string(keys.get<int64_t>("slope_from")) +
               " on, exact score matching's slope of log time against log d above " + figure(exact_min),
           as_number(slopes["score_matching"]) > exact_min},
          {"sliced and denoising below " + figure(cheap_max),
           as_number(slopes["sliced_score_matching"]) < cheap_max && as_number(slopes["denoising_score_matching"]) < cheap_max},
          {"at d = " + std::to_string(keys.get<int64_t>("variance_dim")) + ", the mean sliced gradient within " +
               figure(max_sliced) + " (relative) of the exact one",
           as_number(gradients["sliced_score_matching"]["relative_bias"]) < max_sliced},
          {"the mean denoising gradient more than " + figure(min_denoising) + " off it (the smoothed objective's)",
           as_number(gradients["denoising_score_matching"]["relative_bias"]) > min_denoising}};
}

const StudyRegistration registration(
    {"score_matching_cost", "exact score matching's step time grows with the dimension; sliced and denoising stay flat",
     {list("dims", values<int64_t>({2, 8, 32, 128, 392, 784}), integer("d", required(), 1, 1e5, "dimension"),
           "data dimensions timed, increasing"),
      integer("slope_from", value(32), 1, 1e5, "the slope is fitted over the dimensions from this one on"),
      integer("min_steps", value(3), 1, 1e6, "at least this many timed steps"),
      number("min_seconds", value(0.5), 0, 1e4, "and at least this many seconds"),
      integer("variance_dim", value(32), 1, 1e5, "dimension of the gradient comparison"),
      integer("repeats", value(100), 2, 1e6, "gradient estimates per cheap objective"),
      number("min_exact_slope", value(0.9), 0, 10, "exact score matching's slope must exceed this"),
      number("max_cheap_slope", value(0.5), 0, 10, "sliced and denoising slopes must stay below this"),
      number("max_sliced_bias", value(0.2), 0, 10, "the mean sliced gradient's relative distance to the exact one stays below this"),
      number("min_denoising_bias", value(0.5), 0, 10, "the mean denoising gradient's relative distance to the exact one exceeds this")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
