// gibbs_stuck: Gibbs sampling does not cross between modes separated by a large energy barrier,
// and parallel tempering does. The model is an RBM built to have two modes: V visible units, one
// hidden unit with weights w, visible biases -w/2 and a hidden bias that gives the "on" mode
// (most units on) an exact share pi:
//   p(h = 1) = e^c (1 + e^{w/2})^V / [(1 + e^{-w/2})^V + e^c (1 + e^{w/2})^V],
// so c = logit(pi) - V log((1 + e^{w/2}) / (1 + e^{-w/2})). Chains start half in each mode; the
// statistic is the fraction of units on. Gibbs: split-R-hat well above 1.1 and mode shares
// stuck at the starts' 50/50; tempering (Swendsen & Wang 1986): R-hat below 1.01 and the exact
// shares (by enumeration of the visible states).
#include <torch/torch.h>

#include <cmath>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "experiments/study_support.h"
#include "samplers/block_gibbs.h"
#include "samplers/diagnostics.h"
#include "samplers/parallel_tempering.h"

namespace ebm::experiments {

namespace {

struct ChainRecord {
  samplers::Draws draws;  // fraction of units on, [chains, draws]
  double on_share = 0;    // share of draws in the "on" mode
};

ChainRecord record(samplers::Sampler& sampler, LayeredRBMImpl& model, torch::Tensor x, int64_t warmup, int64_t draws) {
  const int64_t chains = x.size(0), v = x.size(1);
  x = sampler.run(model, x, warmup);
  ChainRecord out{samplers::Draws(chains, draws)};
  int64_t on = 0;
  for (int64_t t = 0; t < draws; ++t) {
    x = sampler.run(model, x, 1);
    auto counts = x.sum(1).to(torch::kFloat64).contiguous();
    for (int64_t c = 0; c < chains; ++c) {
      const double count = counts[c].item<double>();
      out.draws(c, t) = count / static_cast<double>(v);
      on += count > v / 2.0;
    }
  }
  out.on_share = static_cast<double>(on) / static_cast<double>(chains * draws);
  return out;
}

reports::Image trace(const ChainRecord& r, const std::string& title) {
  std::vector<reports::Series> series;
  for (int64_t c = 0; c < std::min<int64_t>(r.draws.rows(), 4); ++c) {
    reports::Series s{"chain " + std::to_string(c + 1), {}, {}, {}, reports::palette(c)};
    for (int64_t t = 0; t < r.draws.cols(); ++t) s.x.push_back(static_cast<double>(t)), s.y.push_back(r.draws(c, t));
    series.push_back(s);
  }
  return reports::render_chart({title, "draw", "fraction of units on"}, series);
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const int64_t v = st.get<int64_t>("visible"), chains = st.get<int64_t>("chains"), draws = st.get<int64_t>("draws");
  const double w = st.get<double>("weight"), share = st.get<double>("on_share");
  torch::manual_seed(c.file.get<int64_t>("experiment.seed"));
  LayeredRBM model(LayeredRBMOptions::bernoulli(v, 1));
  model->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    model->weight.fill_(w);
    model->visible_field().fill_(-w / 2);
    model->hidden_field().fill_(std::log(share / (1 - share)) -
                             static_cast<double>(v) * std::log((1 + std::exp(w / 2)) / (1 + std::exp(-w / 2))));
  }
  auto states = all_binary_states(v);
  auto p = visible_log_probabilities(*model).exp();
  const double exact_on = p.masked_select(states.sum(1) > v / 2.0).sum().item<double>();

  auto starts = torch::zeros({chains, v}, torch::kFloat64);
  starts.slice(0, 0, chains / 2).fill_(1);
  samplers::BlockGibbsSampler gibbs;
  samplers::ParallelTemperingSampler tempering(samplers::ParallelTemperingOptions()
                                                   .temperatures(st.get<int64_t>("temperatures"))
                                                   .min_beta(st.get<double>("min_beta")));
  const int64_t warmup = st.get<int64_t>("warmup");
  auto g = record(gibbs, *model, starts, warmup, draws);
  auto t = record(tempering, *model, starts, warmup, draws);
  const double rhat_g = samplers::split_rhat(g.draws), rhat_t = samplers::split_rhat(t.draws);

  Signature s;
  s.figures = {{"exact_on_share", exact_on},
               {"gibbs", {{"split_rhat", rhat_g}, {"on_share", g.on_share}, {"bulk_ess", samplers::bulk_ess(g.draws)}}},
               {"parallel_tempering",
                {{"split_rhat", rhat_t}, {"on_share", t.on_share}, {"bulk_ess", samplers::bulk_ess(t.draws)},
                 {"swap_rate", samplers::host_statistics(tempering).at("swap_rate")}}},
               {"chains", chains}, {"draws", draws}};
  s.headline = fmt::format("R-hat Gibbs {} (on-mode share {} vs exact {}), tempering {} (share {})", figure(rhat_g),
                           figure(g.on_share), figure(exact_on), figure(rhat_t), figure(t.on_share));
  s.picture = c.path("traces.png");
  reports::write_png(s.picture, reports::stack_vertically({trace(g, "block Gibbs: chains stay in the mode they start in"),
                                                           trace(t, "parallel tempering: chains cross between the modes")}));
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double tolerance = keys.get<double>("share_tolerance"), exact = as_number(f["exact_on_share"]);
  auto& gibbs = f["gibbs"];
  auto& tempering = f["parallel_tempering"];
  return {{"Gibbs: split-R-hat > 1.1", as_number(gibbs["split_rhat"]) > 1.1},
          {"its mode share more than 0.1 off the exact one", std::abs(as_number(gibbs["on_share"]) - exact) > 0.1},
          {"parallel tempering: split-R-hat < 1.01", as_number(tempering["split_rhat"]) < 1.01},
          {"its share within " + figure(tolerance) + " of the exact one", std::abs(as_number(tempering["on_share"]) - exact) < tolerance}};
}

const StudyRegistration registration(
    {"gibbs_stuck", "Gibbs chains stay in the mode they start in; parallel tempering crosses (a two-mode RBM built to order)",
     {integer("visible", value(12), 2, 20, "visible units"),
      number("weight", value(6.0), 0, 100, "w: the weights of the one hidden unit; the barrier grows with it", true),
      number("on_share", value(0.7), 0, 1, "exact probability of the mode with most units on", true),
      integer("chains", value(8), 4, 1e5, "chains, half started in each mode"),
      integer("warmup", value(100), 0, 1e7, "transitions discarded first"),
      integer("draws", value(4000), 8, 1e8, "draws kept per chain"),
      integer("temperatures", value(10), 2, 1000, "parallel tempering replicas"),
      number("min_beta", value(0.05), 0, 0.999999, "the hottest replica's inverse temperature"),
      number("share_tolerance", value(0.03), 0, 1, "largest |tempering's share - exact| that counts as right", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
