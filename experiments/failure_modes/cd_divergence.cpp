// cd_divergence: under CD-1 at a large learning rate the exact log-likelihood rises, peaks and
// then falls, while the reconstruction error, the usual monitor, keeps falling (Fischer & Igel
// 2010). A sweep over k and the learning rate (ebm sweep underneath), and further variants such
// as parallel tempering, each measured by its drop = best exact log-likelihood - final.
#include <torch/torch.h>

#include <cmath>

#include "experiments/study_support.h"

namespace ebm::experiments {

namespace {

struct Curve {
  std::string label, dir;
  std::vector<double> steps, ll, recon;
  double best = -INFINITY, final = 0, drop = 0, recon_at_best = 0, recon_final = 0;
};

Curve curve_of(const std::string& label, const TrainingRun& run) {
  Curve c;
  c.label = label;
  c.dir = run.dir;
  for (const auto& row : run.rows) {
    const double ll = metric_of(row, "exact_ll"), recon = metric_of(row, "recon_xent");
    if (row.contains("rollback") || !std::isfinite(ll)) continue;
    c.steps.push_back(row["step"].get<double>()), c.ll.push_back(ll), c.recon.push_back(recon);
    if (ll > c.best) c.best = ll, c.recon_at_best = recon;
  }
  c.final = c.ll.back(), c.recon_final = c.recon.back(), c.drop = c.best - c.final;
  return c;
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  SweepOptions options;
  for (const auto& v : st.get<std::vector<std::string>>("vary")) options.axes.push_back(parse_vary(v));
  options.out_dir = c.path("sweep");
  options.metric = "exact_ll";
  auto sweep = run_sweep(c.experiment(), options);
  std::vector<Curve> curves;
  for (const auto& p : sweep.points) curves.push_back(curve_of(p.label, p.run));
  for (const auto& v : variants_of(c, "also")) curves.push_back(curve_of(v.label, train_for_study(c, v.label, v.overrides).run));

  const std::string focus_label = st.get<std::string>("diverging");
  const Curve* focus = nullptr;
  Signature s;
  std::vector<reports::Series> lines;
  for (size_t i = 0; i < curves.size(); ++i) {
    const auto& cv = curves[i];
    s.figures["runs"][cv.label] = {{"best_exact_ll", cv.best}, {"final_exact_ll", cv.final}, {"drop", cv.drop},
                                   {"recon_xent_at_best", cv.recon_at_best}, {"recon_xent_final", cv.recon_final},
                                   {"run", cv.dir}};
    s.runs.push_back(cv.dir);
    lines.push_back({cv.label, cv.steps, cv.ll, {}, reports::palette(i)});
    if (cv.label == focus_label) focus = &cv;
  }
  if (focus == nullptr) {
    std::string labels;
    for (const auto& cv : curves) labels += (labels.empty() ? "" : "; ") + cv.label;
    st.fail("diverging", "'" + focus_label + "' is not one of the runs: " + labels);
  }
  s.headline = fmt::format("{}: exact_ll peaks at {} and ends at {} (drop {} nats) while recon_xent falls {} -> {}",
                           focus_label, figure(focus->best), figure(focus->final), figure(focus->drop),
                           figure(focus->recon_at_best), figure(focus->recon_final));
  auto ll_chart = reports::render_chart({"exact log-likelihood during training", "update", "exact_ll"}, lines);
  reports::Series recon{focus_label + ": recon_xent", focus->steps, focus->recon, {}, reports::palette(0)};
  auto recon_chart = reports::render_chart({"the usual monitor, reconstruction error, keeps falling", "update", "recon_xent"}, {recon});
  s.picture = c.path("cd_divergence.png");
  reports::write_png(s.picture, reports::stack_vertically({ll_chart, recon_chart}));
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const std::string focus = keys.get<std::string>("diverging");
  const double min_drop = keys.get<double>("min_drop");
  auto& runs = f["runs"];
  const double drop = as_number(runs[focus]["drop"]);
  bool others_less = true;
  for (const auto& [label, run] : runs.items()) others_less = others_less && (label == focus || as_number(run["drop"]) < drop);
  return {{"the '" + focus + "' run loses at least " + figure(min_drop) + " nats from its best exact log-likelihood", drop >= min_drop},
          {"while its reconstruction error ends below its value at the best",
           as_number(runs[focus]["recon_xent_final"]) < as_number(runs[focus]["recon_xent_at_best"])},
          {"every other run (larger k, smaller rate, tempering) drops less", others_less}};
}

const StudyRegistration registration(
    {"cd_divergence", "CD-1 at a large rate: exact log-likelihood peaks then falls while reconstruction error falls",
     {list("vary", required(), text("axis", required(), "KEY=V1,V2,..."), "the sweep's axes, as ebm sweep --vary takes them"),
      may_be_empty(list("also", YAML::Node(YAML::NodeType::Sequence), text("variant", required(), "label: KEY=VALUE ..."),
                        "further runs beside the sweep")),
      text("diverging", required(), "the run expected to diverge: a sweep label ('steps=1, lr=0.1') or a variant's"),
      number("min_drop", value(0.5), 0, 1e9, "nats it must lose from its best exact log-likelihood")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
