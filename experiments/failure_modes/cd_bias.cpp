// cd_bias: CD-k's expected update is biased (Carreira-Perpiñán & Hinton 2005; Bengio & Delalleau
// 2009). On a trained RBM small enough to enumerate its k-step Gibbs chain, exactly:
//   relative bias(k) = |E[CD-k update] - ∇ log-likelihood| / |∇ log-likelihood|,
// for each k and for the same model with its weights scaled (sharper models mix slower); then
// sampled CD-k estimates, whose mean must agree with the exact expectation up to its noise
// floor; and CD-1 started at (near) the maximum-likelihood solution: its expected updates walk
// away from it (its fixed point is not the likelihood's), losing log-likelihood.
#include <torch/torch.h>

#include "ebm/exact_enumeration.h"
#include "experiments/study_support.h"
#include "samplers/block_gibbs.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  auto trained_rbm = train_rbm_in_double(c);
  auto& trained = trained_rbm.trained;
  auto& model = *trained_rbm.model;
  const auto& data = trained_rbm.data;
  const auto ks = c.study().get<std::vector<int64_t>>("ks");
  const auto scales = c.study().get<std::vector<double>>("weight_scales");
  auto weight = model.named_parameters()["weight"];
  const auto trained_weight = weight.detach().clone();

  Signature s;
  std::vector<reports::Series> series;
  std::vector<double> bias_k1;  // log10 of the absolute bias at the smallest k, per scale
  std::vector<std::vector<double>> relative_bias;
  for (size_t i = 0; i < scales.size(); ++i) {
    {
      torch::NoGradGuard no_grad;
      weight.copy_(trained_weight * scales[i]);
    }
    auto exact = flatten(expected_cd_update(model, data, -1));
    reports::Series line{"weights x" + figure(scales[i]), {}, {}, {}, reports::palette(i), true};
    std::vector<double> relative;
    nlohmann::ordered_json row, absolute;
    for (int64_t k : ks) {
      auto cd = flatten(expected_cd_update(model, data, k));
      const double bias = ((cd - exact).norm() / exact.norm()).item<double>();
      const double size = (cd - exact).norm().item<double>();
      row[std::to_string(k)] = bias;
      absolute[std::to_string(k)] = size;
      relative.push_back(bias);
      line.x.push_back(static_cast<double>(k)), line.y.push_back(std::log10(std::max(size, 1e-16)));
    }
    bias_k1.push_back(line.y.front());
    relative_bias.push_back(relative);
    s.figures["exact_relative_bias"]["scale " + figure(scales[i])] = row;
    s.figures["exact_absolute_bias"]["scale " + figure(scales[i])] = absolute;
    s.figures["exact_gradient_norm"]["scale " + figure(scales[i])] = exact.norm().item<double>();
    series.push_back(line);
  }

  // Sampled CD-k at the trained weights: the mean of R estimates against the exact expectation.
  {
    torch::NoGradGuard no_grad;
    weight.copy_(trained_weight);
  }
  const int64_t repeats = c.study().get<int64_t>("repeats");
  auto exact = flatten(expected_cd_update(model, data, -1));
  samplers::BlockGibbsSampler gibbs;
  reports::Series sampled{"sampled mean, weights x1", {}, {}, {}, reports::palette(7), true};
  reports::Series sampled_floor{"its noise floor", {}, {}, {}, reports::palette(8), false};
  for (int64_t k : ks) {
    auto expected = flatten(expected_cd_update(model, data, k));
    std::vector<torch::Tensor> estimates;
    for (int64_t r = 0; r < repeats; ++r) {
      auto negatives = gibbs.run(model, data, k);
      auto update = trainers::positive_phase(model, data);
      auto negative = trainers::sampled_negative_phase(model, negatives);
      for (size_t t = 0; t < update.size(); ++t) update[t].second = update[t].second + negative[t].second;
      estimates.push_back(flatten(update));
    }
    auto stacked = torch::stack(estimates);
    auto mean = stacked.mean(0);
    const double floor = (stacked - mean).pow(2).sum(1).mean().sqrt().item<double>() /
                         std::sqrt(static_cast<double>(repeats)) / exact.norm().item<double>();
    const double bias = ((mean - exact).norm() / exact.norm()).item<double>();
    const double off = ((mean - expected).norm() / exact.norm()).item<double>();
    s.figures["sampled"][std::to_string(k)] = {{"relative_bias", bias}, {"noise_floor", floor}, {"off_exact_expectation", off}};
    const double scale = exact.norm().item<double>();
    sampled.x.push_back(static_cast<double>(k)), sampled.y.push_back(std::log10(bias * scale));
    sampled_floor.x.push_back(static_cast<double>(k)), sampled_floor.y.push_back(std::log10(floor * scale));
  }
  series.push_back(sampled);
  series.push_back(sampled_floor);

  // CD-1 from the maximum-likelihood fit (the same experiment trained for ml_steps): exact
  // expected updates, no sampling noise.
  auto ml = train_for_study(c, "ml_fit", {"train.steps=" + std::to_string(c.study().get<int64_t>("ml_steps"))});
  auto& ml_model = latent_model(c, ml.experiment);
  ml_model.to(torch::kFloat64);
  const double lr = c.study().get<double>("cd_lr");
  const int64_t updates = c.study().get<int64_t>("cd_updates");
  auto log_likelihood = [&] { return mean_log_likelihood(ml_model, data, exact_log_partition(ml_model)); };
  const double start = log_likelihood();
  const double gradient_norm = flatten(expected_cd_update(ml_model, data, -1)).norm().item<double>();
  const double cd1_norm = flatten(expected_cd_update(ml_model, data, 1)).norm().item<double>();
  for (int64_t u = 0; u < updates; ++u) {
    auto update = expected_cd_update(ml_model, data, 1);
    torch::NoGradGuard no_grad;
    auto named = ml_model.named_parameters();
    for (const auto& [name, g] : update) named[name].add_(lr * g);
  }
  const double end = log_likelihood();
  const double lost = start - end;
  s.figures["cd1_from_ml"] = {{"log_likelihood_start", start}, {"log_likelihood_after", end}, {"lost", lost},
                              {"updates", updates}, {"lr", lr}, {"exact_gradient_norm_at_start", gradient_norm},
                              {"cd1_update_norm_at_start", cd1_norm}};

  size_t unit = 0;  // the scale nearest 1: the trained model itself
  for (size_t i = 0; i < scales.size(); ++i) unit = std::abs(scales[i] - 1) < std::abs(scales[unit] - 1) ? i : unit;
  s.headline = fmt::format("relative bias k={}: {} -> k={}: {} (weights x{}); |bias| at k={}: {} ... {} (x{} ... x{}); "
                           "CD-1 from the ML fit loses {} nats",
                           ks.front(), figure(relative_bias[unit].front()), ks.back(), figure(relative_bias[unit].back()),
                           figure(scales[unit]), ks.front(), figure(std::pow(10, bias_k1.front())),
                           figure(std::pow(10, bias_k1.back())), figure(scales.front()), figure(scales.back()), figure(lost));
  s.runs = {trained.run.dir, ml.run.dir};
  reports::ChartOptions chart{"bias of CD-k against the exact gradient (exact: enumeration of the chain)",
                              "k (Gibbs steps)", "log10 |E[CD-k] - grad|"};
  chart.log_x = true;
  s.picture = write_chart(c, "cd_bias.png", chart, series);
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const auto ks = keys.get<std::vector<int64_t>>("ks");
  const std::string first = std::to_string(ks.front()), last = std::to_string(ks.back());
  const double min_lost = keys.get<double>("min_loss");
  bool falls = true, grows = true, agrees = true;
  double previous = -INFINITY;
  for (double scale : keys.get<std::vector<double>>("weight_scales")) {
    auto& relative = f["exact_relative_bias"]["scale " + figure(scale)];
    falls = falls && as_number(relative[last]) < as_number(relative[first]);
    const double absolute = std::max(as_number(f["exact_absolute_bias"]["scale " + figure(scale)][first]), 1e-16);
    grows = grows && absolute > previous;
    previous = absolute;
  }
  // The sampled mean sits within a few noise floors of the exact expectation.
  for (int64_t k : ks) {
    auto& sampled = f["sampled"][std::to_string(k)];
    agrees = agrees && as_number(sampled["off_exact_expectation"]) < 3 * as_number(sampled["noise_floor"]);
  }
  return {{"exact relative bias |E[CD-k] - grad| / |grad| lower at the largest k than at the smallest at every weight scale", falls},
          {"the absolute bias at the smallest k grows with the scale (each scaled model has its own |grad|, so the scales "
           "compare absolute sizes)",
           grows},
          {"sampled means within 3 noise floors of the exact expectation", agrees},
          {"CD-1 from the ML fit loses more than " + figure(min_lost) + " nats", as_number(f["cd1_from_ml"]["lost"]) > min_lost}};
}

const StudyRegistration registration(
    {"cd_bias", "exact bias of the expected CD-k update against k and the weights' scale; CD-1 leaves the ML fit",
     {ks_field(),
      list("weight_scales", values<double>({0.1, 1.0, 3.0}), number("scale", required(), 0, 1e3, "factor", true),
           "the trained weights multiplied by each"),
      integer("repeats", value(200), 4, 1e7, "sampled CD-k estimates per k"),
      integer("ml_steps", value(20000), 1, 1e9, "training steps of the maximum-likelihood fit (the experiment with more steps)"),
      number("cd_lr", value(0.1), 0, 1e3, "learning rate of the CD-1 updates from the ML fit", true),
      integer("cd_updates", value(2000), 1, 1e8, "expected CD-1 updates from the ML fit"),
      min_value("min_loss", 0.01, "log-likelihood (nats per example) CD-1 must lose to count as moving away")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
