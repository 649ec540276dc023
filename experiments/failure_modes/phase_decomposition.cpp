// phase_decomposition: the gradient of the mean log-likelihood is the positive phase minus the
// negative phase (Hinton 2002). Per parameter tensor of a trained RBM, in double:
//   positive + exact negative  vs  the central finite difference of the exact log-likelihood,
//   (L(θ + h e_i) - L(θ - h e_i)) / 2h, relative error |g - fd| / |fd| below the tolerance.
#include <torch/torch.h>

#include "ebm/exact_enumeration.h"
#include "ebm/finite_differences.h"
#include "experiments/study_support.h"
#include "trainers/phases.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  auto trained_rbm = train_rbm_in_double(c);
  auto& trained = trained_rbm.trained;
  auto& model = *trained_rbm.model;
  const auto& data = trained_rbm.data;
  const double h = c.study().get<double>("step");
  auto positive = trainers::positive_phase(model, data);
  auto negative = trainers::exact_negative_phase(model);
  auto log_likelihood = [&] { return mean_log_likelihood(model, data, exact_log_partition(model)); };

  Signature s;
  double worst = 0;
  reports::Series analytic{"positive + exact negative", {}, {}, {}, reports::palette(0), true};
  reports::Series differences{"finite difference", {}, {}, {}, reports::palette(1), true};
  torch::NoGradGuard no_grad;
  auto named = model.named_parameters();
  for (size_t t = 0; t < positive.size(); ++t) {
    auto fd = central_differences(named[positive[t].first], [&] { return torch::tensor(log_likelihood(), torch::kFloat64); }, h)
                  .reshape(-1);
    auto g = (positive[t].second + negative[t].second).reshape(-1);
    const double error = ((g - fd).norm() / fd.norm()).item<double>();
    worst = std::max(worst, error);
    s.figures[positive[t].first] = {{"relative_error", error},
                                    {"positive_norm", positive[t].second.norm().item<double>()},
                                    {"negative_norm", negative[t].second.norm().item<double>()},
                                    {"gradient_norm", fd.norm().item<double>()}};
    for (int64_t i = 0; i < g.numel(); ++i) {
      const double x = static_cast<double>(analytic.x.size());
      analytic.x.push_back(x), analytic.y.push_back(g[i].item<double>());
      differences.x.push_back(x), differences.y.push_back(fd[i].item<double>());
    }
  }
  s.figures["worst_relative_error"] = worst;
  s.figures["finite_difference_step"] = h;
  s.headline = "worst relative error per tensor " + figure(worst);
  s.runs = {trained.run.dir};
  s.picture = write_chart(c, "phases.png",
                          {"gradient of the mean log-likelihood, every parameter: phases against finite differences",
                           "parameter (weights, visible biases, hidden biases)", "d mean log p / d theta"},
                          {differences, analytic});
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double tolerance = keys.get<double>("tolerance");
  int64_t tensors = 0;
  bool within = true;
  for (auto& [name, tensor] : f.items()) {
    if (!tensor.is_object()) continue;  // the scalars beside the tensors
    ++tensors;
    within = within && as_number(tensor["relative_error"]) < tolerance;
  }
  return {{"for every parameter tensor, |positive + exact negative - finite difference| / |finite difference| < " + figure(tolerance),
           tensors > 0 && within}};
}

const StudyRegistration registration({"phase_decomposition", "positive + exact negative phase equals the finite-difference gradient",
                                      {number("step", value(1e-4), 0, 1, "central finite-difference step", true),
                                       number("tolerance", value(1e-6), 0, 1, "largest relative error per parameter tensor", true)},
                                      {},
                                      {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
