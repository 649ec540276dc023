// cd_not_a_gradient: the expected CD-1 update u(θ) is not the gradient of any function
// (Sutskever & Tieleman 2010): a gradient field has a symmetric Jacobian (a Hessian), and the
// Jacobian of u, by central differences of the exact expected update (enumeration of the chain),
// is not: ||J - Jᵀ|| / ||J|| well above 0, while the exact gradient's is 0 up to rounding.
#include <torch/torch.h>

#include "ebm/finite_differences.h"
#include "experiments/study_support.h"
#include "reports/pictures.h"

namespace ebm::experiments {

namespace {

// J[i][j] = d u_i / d θ_j by central differences, θ = every parameter in order.
torch::Tensor jacobian(LatentVariableModel& model, const torch::Tensor& data, int64_t k, double h) {
  std::vector<torch::Tensor> columns;
  for (auto& p : model.parameters()) {
    columns.push_back(central_differences(p, [&] { return flatten(expected_cd_update(model, data, k)); }, h));
  }
  return torch::cat(columns, 1);
}

double asymmetry(const torch::Tensor& j) { return ((j - j.t()).norm() / j.norm()).item<double>(); }

Signature measure(const StudyContext& c) {
  auto trained_rbm = train_rbm_in_double(c);
  auto& trained = trained_rbm.trained;
  auto& model = *trained_rbm.model;
  const auto& data = trained_rbm.data;
  const double h = c.study().get<double>("step");
  auto j_cd = jacobian(model, data, 1, h), j_exact = jacobian(model, data, -1, h);
  const double cd = asymmetry(j_cd), exact = asymmetry(j_exact);

  Signature s;
  s.figures = {{"cd1_asymmetry", cd}, {"exact_gradient_asymmetry", exact}, {"parameters", j_cd.size(0)},
               {"finite_difference_step", h}};
  s.headline = "||J - J^T|| / ||J||: CD-1 " + figure(cd) + ", exact gradient " + figure(exact);
  s.runs = {trained.run.dir};
  // |J - Jᵀ| of both on one scale (white = the largest CD-1 asymmetry), side by side.
  const double scale = (j_cd - j_cd.t()).abs().max().item<double>();
  auto panel = [&](const torch::Tensor& j) { return ((j - j.t()).abs() / scale).clamp_max(1).reshape({1, -1}).to(torch::kFloat32); };
  const int64_t n = j_cd.size(0);
  auto image = reports::image_grid(torch::cat({panel(j_cd), panel(j_exact)}), n, n, 2, std::max<int64_t>(4, 240 / n));
  s.picture = c.path("asymmetry.png");
  reports::write_png(s.picture, image);
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double threshold = keys.get<double>("min_asymmetry");
  return {{"the expected CD-1 update's Jacobian has ||J - J^T|| / ||J|| > " + figure(threshold),
           as_number(f["cd1_asymmetry"]) > threshold},
          {"the exact gradient's (a Hessian) < 1e-6", as_number(f["exact_gradient_asymmetry"]) < 1e-6}};
}

const StudyRegistration registration({"cd_not_a_gradient", "the Jacobian of the expected CD-1 update is asymmetric; a gradient's is not",
                                      {number("step", value(1e-5), 0, 1, "central finite-difference step", true),
                                       min_value("min_asymmetry", 0.05, "||J - J^T|| / ||J|| that counts as not a gradient")},
                                      {},
                                      {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
