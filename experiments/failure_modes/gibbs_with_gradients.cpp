// gibbs_with_gradients: on binary units that are strongly coupled, single-site samplers that
// propose blindly waste their work, and a gradient-informed proposal does not (Grathwohl et al.
// 2021), up to a point. The target is an RBM's visible law p(v) ~ exp(-F(v)) on V units, small
// enough to enumerate (2^V states), with weights N(0, w^2) and biases -W 1 / 2, so that the law
// is symmetric under flipping every unit: the stronger the coupling w, the more the states pair
// into a mode and its complement, split by a barrier. Three samplers of it: random-scan Gibbs (one
// uniformly chosen unit from its conditional), Gibbs-with-Gradients (one unit chosen by
// softmax(d / 2), d_i = (2 v_i - 1) dF/dv_i, then the Metropolis correction) and block Gibbs
// (h | v, then v | h), which exists because the model is an RBM. Each runs C chains from exact
// draws; two statistics: F(v) (mixing within a mode) and the number of units on (crossing between
// a mode and its complement). Their effective sample size (samplers/diagnostics.h) is divided by
// the work: products with the weight matrix per chain, 1 per random-scan update (F of the
// proposal), 2 per GwG proposal (F and its gradient), 2 per block-Gibbs sweep. Each sampler's
// means are checked against the exact ones, within four standard errors from its own ESS.
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <map>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "experiments/study_support.h"
#include "samplers/block_gibbs.h"
#include "samplers/diagnostics.h"
#include "samplers/gibbs_with_gradients.h"
#include "samplers/random_walk.h"

namespace ebm::experiments {

namespace {

struct Measured {
  std::string name;
  double products_per_step = 0;  // products with W per chain per step
  int64_t steps_per_record = 1;
  double ess_per_product = 0;    // the smaller of the two statistics'
  double seconds = 0;
  double acceptance = NAN;
  nlohmann::ordered_json figures;
};

Measured run(samplers::Sampler& sampler, LayeredRBMImpl& model, const torch::Tensor& start, int64_t records, int64_t steps_per_record,
             double products_per_step, const torch::Tensor& exact_means) {
  Measured m;
  m.name = sampler.name(), m.products_per_step = products_per_step, m.steps_per_record = steps_per_record;
  std::vector<torch::Tensor> on, free_energy;
  auto x = start.clone();
  double accepted = 0;
  const auto begin = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < records; ++r) {
    x = sampler.run(model, x, steps_per_record);
    const auto stats = samplers::host_statistics(sampler);
    if (stats.count("acceptance_rate")) accepted += stats.at("acceptance_rate");
    torch::NoGradGuard no_grad;
    on.push_back(x.sum(1));
    free_energy.push_back(model.energy(x));
  }
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (accepted > 0) m.acceptance = accepted / static_cast<double>(records);
  const double products = static_cast<double>(start.size(0)) * static_cast<double>(records * steps_per_record) * products_per_step;
  m.ess_per_product = INFINITY;
  int index = 0;
  for (const auto& [label, rows] : {std::pair{"units_on", &on}, std::pair{"free_energy", &free_energy}}) {
    const auto all = torch::stack(*rows, 1).to(torch::kFloat64).contiguous();  // [chains, records]
    samplers::Draws draws = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        all.data_ptr<double>(), all.size(0), all.size(1));
    const double ess = samplers::effective_sample_size(draws);
    const double mean = draws.mean(), sd = std::sqrt((draws.array() - mean).square().mean());
    const double exact = exact_means[index++].item<double>();
    m.figures[label] = {{"ess", ess}, {"ess_per_product", ess / products}, {"mean", mean}, {"exact_mean", exact},
                        {"standard_errors_off", std::abs(mean - exact) / (sd / std::sqrt(ess))}};
    m.ess_per_product = std::min(m.ess_per_product, ess / products);
  }
  m.figures["ess_per_product"] = m.ess_per_product;
  m.figures["ess_per_second"] = m.ess_per_product * products / m.seconds;
  m.figures["acceptance"] = m.acceptance;
  m.figures["products_per_step"] = products_per_step;
  return m;
}

// The RBM of coupling w: weights N(0, w^2), biases -W 1 / 2 (the law symmetric under a global flip).
LayeredRBM coupled_rbm(int64_t v, int64_t h, double w) {
  LayeredRBM model(LayeredRBMOptions::bernoulli(v, h));
  model->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  model->weight.normal_(0, w);
  model->visible_field().copy_(-0.5 * model->weight.sum(1));
  model->hidden_field().copy_(-0.5 * model->weight.sum(0));
  for (auto& p : model->parameters()) p.requires_grad_(false);
  return model;
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  torch::manual_seed(c.file.get<int64_t>("experiment.seed"));
  const int64_t v = st.get<int64_t>("visible"), h = st.get<int64_t>("hidden"), chains = st.get<int64_t>("chains");
  const int64_t records = st.get<int64_t>("records"), every = st.get<int64_t>("site_steps_per_record");
  const auto couplings = st.get<std::vector<double>>("weight_stds");
  const auto states = all_binary_states(v);
  Signature s;
  const std::vector<std::string> names = {"random_scan_gibbs", "gibbs_with_gradients", "gibbs"};
  std::map<std::string, std::map<std::string, reports::Series>> curves;  // statistic -> sampler -> ESS per 1000 products
  double worst = 0;
  for (const double w : couplings) {
    auto model = coupled_rbm(v, h, w);
    const auto p = visible_log_probabilities(*model).exp();
    torch::Tensor exact_means;
    {
      torch::NoGradGuard no_grad;
      exact_means = torch::stack({(p * states.sum(1)).sum(), (p * model->energy(states)).sum()});
    }
    const auto start = states.index_select(0, torch::multinomial(p, chains, true));  // exact draws
    samplers::RandomWalkSampler site(samplers::RandomWalkOptions().heat_bath(true));
    samplers::GibbsWithGradientsSampler gwg;
    samplers::BlockGibbsSampler block;
    const std::vector<Measured> runs = {run(site, *model, start, records, every, 1, exact_means),
                                        run(gwg, *model, start, records, every, 2, exact_means),
                                        run(block, *model, start, records, 1, 2, exact_means)};
    auto& at = s.figures["couplings"][figure(w)];
    for (size_t i = 0; i < runs.size(); ++i) {
      at[names[i]] = runs[i].figures;
      for (const char* stat : {"units_on", "free_energy"}) {
        worst = std::max(worst, runs[i].figures[stat]["standard_errors_off"].get<double>());
        auto& curve = curves[stat][names[i]];
        curve.x.push_back(w);
        curve.y.push_back(1000 * runs[i].figures[stat]["ess_per_product"].get<double>());
      }
    }
    at["random_scan_acceptance"] = runs[0].acceptance;
    for (const char* stat : {"units_on", "free_energy"}) {
      at["gwg_over_random_scan"][stat] = runs[1].figures[stat]["ess_per_product"].get<double>() / runs[0].figures[stat]["ess_per_product"].get<double>();
    }
  }
  s.figures["largest_standard_errors_off"] = worst;
  s.figures["visible"] = v;
  s.figures["hidden"] = h;
  const auto& first = s.figures["couplings"][figure(couplings.front())];
  const auto& last = s.figures["couplings"][figure(couplings.back())];
  s.headline = fmt::format("GwG over random-scan Gibbs, effective samples per product with W: F(v) {}x at w = {} -> {}x at w = {} "
                           "(random-scan accepts {} -> {}); units on {}x -> {}x",
                           figure(first["gwg_over_random_scan"]["free_energy"].get<double>()), figure(couplings.front()),
                           figure(last["gwg_over_random_scan"]["free_energy"].get<double>()), figure(couplings.back()),
                           figure(first["random_scan_acceptance"].get<double>()), figure(last["random_scan_acceptance"].get<double>()),
                           figure(first["gwg_over_random_scan"]["units_on"].get<double>()),
                           figure(last["gwg_over_random_scan"]["units_on"].get<double>()));
  std::vector<reports::Image> charts;
  for (const auto& [stat, title] : {std::pair<std::string, std::string>{"free_energy", "F(v): mixing within a mode"},
                                    {"units_on", "units on: crossing to the complement"}}) {
    std::vector<reports::Series> series;
    for (size_t i = 0; i < names.size(); ++i) {
      auto curve = curves[stat][names[i]];
      curve.label = std::vector<std::string>{"random-scan Gibbs", "Gibbs-with-Gradients", "block Gibbs"}[i], curve.color = reports::palette(static_cast<int>(i)), curve.markers = true;
      for (auto& y : curve.y) y = std::log10(y);
      series.push_back(curve);
    }
    charts.push_back(reports::render_chart({fmt::format("RBM {}x{}, {}", v, h, title), "weight std w (coupling)",
                                            "log10 ESS per 1000 products with W"},
                                           series));
  }
  s.picture = c.path("gibbs_with_gradients.png");
  reports::write_png(s.picture, reports::stack_vertically(charts));
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const auto couplings = keys.get<std::vector<double>>("weight_stds");
  const double factor = keys.get<double>("gwg_factor"), middle = keys.get<double>("gwg_coupling");
  const auto& strongest = f["couplings"][figure(couplings.back())];
  return {{"at the strongest coupling random-scan Gibbs accepts fewer than 15% of its flips",
           as_number(strongest["random_scan_acceptance"]) < 0.15},
          {"within a mode (F) at w = " + figure(middle) + ", GwG at least " + figure(factor) + "x random-scan Gibbs's ESS per product",
           as_number(f["couplings"][figure(middle)]["gwg_over_random_scan"]["free_energy"]) >= factor},
          {"every sampler's means within 4 standard errors of the exact ones", as_number(f["largest_standard_errors_off"]) < 4}};
}

const StudyRegistration registration(
    {"gibbs_with_gradients",
     "on coupled binary units a gradient-informed proposal mixes within a mode for less work than random-scan Gibbs; across modes it gains nothing",
     {integer("visible", value(16), 2, 20, "visible units (2^V states are enumerated)"),
      integer("hidden", value(8), 1, 1000, "hidden units"),
      list("weight_stds", values<double>({1, 2, 3}), number("w", required(), 0, 100, "std", true),
           "weight stds w, the coupling strengths, weakest first"),
      integer("chains", value(64), 4, 1e6, "chains per sampler, started from exact draws"),
      integer("records", value(1000), 10, 1e8, "records per chain"),
      integer("site_steps_per_record", value(4), 1, 1e6, "single-unit steps (random-scan Gibbs, GwG) between records; block Gibbs records every sweep"),
      number("gwg_coupling", value(2.0), 0, 100, "the w (one of weight_stds) where GwG's lead within a mode is judged", true),
      number("gwg_factor", value(1.3), 0, 1e6, "how many times random-scan Gibbs's efficiency GwG must reach there", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
