// log_likelihood_underflow: the product of per-example likelihoods of a trained model reaches 0
// in float32 and float64 after N examples while the sum of their logs stays finite; N is the
// first count whose log-likelihood sum falls below the log of the smallest positive subnormal
// (up to one example for the rounding of the last product).
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "ebm/exact_enumeration.h"
#include "experiments/study_support.h"

namespace ebm::experiments {

namespace {

// The first count n (1-based) at which the running product of exp(log_p) in T is 0, or 0 if never.
template <class T>
int64_t product_underflows_at(const std::vector<double>& log_p, std::vector<double>* log10_trace) {
  T product = 1;
  for (size_t i = 0; i < log_p.size(); ++i) {
    product *= static_cast<T>(std::exp(log_p[i]));
    log10_trace->push_back(product > 0 ? std::log10(static_cast<double>(product)) : NAN);
    if (product == 0) return static_cast<int64_t>(i) + 1;
  }
  return 0;
}

// The first count whose sum of log_p falls below log(smallest positive subnormal of T).
template <class T>
int64_t predicted_underflow(const std::vector<double>& log_p) {
  const double floor = std::log(static_cast<double>(std::numeric_limits<T>::denorm_min()));
  double sum = 0;
  for (size_t i = 0; i < log_p.size(); ++i) {
    sum += log_p[i];
    if (sum < floor) return static_cast<int64_t>(i) + 1;
  }
  return 0;
}

Signature measure(const StudyContext& c) {
  auto trained = train_for_study(c, "model");
  auto& model = latent_model(c, trained.experiment);
  const int64_t examples = c.study().get<int64_t>("examples");
  // The stream of examples: the training rows in order, cycled.
  auto data = trained.experiment.data->data().to(torch::kFloat64);
  auto rows = data.index({torch::arange(examples, torch::kInt64) % data.size(0)});
  const double log_z = exact_log_partition(model);
  torch::Tensor log_p;
  {
    torch::NoGradGuard no_grad;
    log_p = (-model.energy(rows) - log_z).cpu();
  }
  std::vector<double> lp(log_p.data_ptr<double>(), log_p.data_ptr<double>() + examples);

  std::vector<double> trace32, trace64;
  const int64_t n32 = product_underflows_at<float>(lp, &trace32), n64 = product_underflows_at<double>(lp, &trace64);
  const int64_t p32 = predicted_underflow<float>(lp), p64 = predicted_underflow<double>(lp);
  double sum = 0;
  std::vector<double> sum_trace;
  for (double x : lp) sum_trace.push_back((sum += x) / std::log(10.0));

  Signature s;
  s.figures = {{"mean_log_likelihood", sum / examples},
               {"float32_product_zero_at", n32}, {"float32_predicted", p32},
               {"float64_product_zero_at", n64}, {"float64_predicted", p64},
               {"sum_of_logs_at_end", sum}, {"examples", examples}};
  s.headline = fmt::format("product is 0 after {} examples (float32), {} (float64); sum of logs {:.1f}", n32, n64, sum);
  s.runs = {trained.run.dir};

  auto series = [](const std::string& label, const std::vector<double>& y, reports::Color color) {
    reports::Series out{label, {}, {}, {}, color};
    for (size_t i = 0; i < y.size(); ++i) {
      if (std::isnan(y[i])) break;
      out.x.push_back(static_cast<double>(i + 1));
      out.y.push_back(y[i]);
    }
    return out;
  };
  const size_t shown = static_cast<size_t>(std::min<int64_t>(examples, std::max(n64, p64) + 20));
  sum_trace.resize(std::min(sum_trace.size(), shown));
  s.picture = write_chart(c, "underflow.png",
                          {"log10 of the likelihood product: float32 and float64 reach 0, the sum of logs does not",
                           "examples", "log10 p(x1..xN)"},
                          {series("sum of logs / ln 10", sum_trace, reports::palette(2)),
                           series("float64 product", trace64, reports::palette(0)),
                           series("float32 product", trace32, reports::palette(1))});
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig&) {
  std::vector<Check> checks;
  for (const char* dtype : {"float32", "float64"}) {
    const double at = as_number(f[std::string(dtype) + "_product_zero_at"]);
    checks.push_back({std::string("the ") + dtype + " product reaches 0 within one example of the first N whose log-likelihood "
                      "sum is below log(smallest subnormal)",
                      at > 0 && std::abs(at - as_number(f[std::string(dtype) + "_predicted"])) <= 1});
  }
  checks.push_back({"the sum of logs stays finite", std::isfinite(as_number(f["sum_of_logs_at_end"]))});
  return checks;
}

const StudyRegistration registration(
    {"log_likelihood_underflow", "the likelihood product underflows in float32 and float64; the sum of logs does not",
     {integer("examples", value(1000), 1, 1e7, "examples in the product (the data's rows, cycled)")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
