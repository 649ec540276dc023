// long_run_samples: short-run chains that only look converged, for neural energies (Nijkamp et
// al. 2019, 2020). Each variant trains the experiment (its chain source, sampler budget, ...);
// then chains of the same sampler start from the training noise and run for each length in
// `lengths` (the training length first, then far beyond it). At each length: the squared MMD
// between the samples and held-out data (trainers/density_metrics.h), and the share of samples
// within 3 stds of a mode of the data's mixture; beside them the run's own grid_ll against the
// truth's log-likelihood of the same held-out data (the density gap, in nats). A model trained
// with short-run chains makes good samples at the training length, drifts away from the data as
// chains run on, and its density falls far below the truth; a convergent set-up does neither.
#include <torch/torch.h>

#include <cmath>

#include "datasets/toy_2d.h"
#include "workflow/generation.h"
#include "experiments/study_support.h"
#include "reports/pictures.h"
#include "trainers/density_metrics.h"

namespace ebm::experiments {

namespace {

// The share of samples within 3 component stds of a mode of the mixture.
double on_mode_share(const torch::Tensor& samples, const datasets::IsotropicMixture& mixture) {
  auto distances = torch::cdist(samples.to(torch::kFloat64), mixture.means.to(torch::kFloat64));
  return (std::get<0>(distances.min(1)) < 3 * mixture.std).to(torch::kFloat64).mean().item<double>();
}

// Images side by side, top-aligned, on white.
reports::Image side_by_side(const std::vector<reports::Image>& images) {
  int width = 0, height = 0;
  for (const auto& image : images) width += image.width(), height = std::max(height, image.height());
  reports::Image out(width, height);
  int x = 0;
  for (const auto& image : images) out.paste(image, x, 0), x += image.width();
  return out;
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const auto lengths = st.get<std::vector<int64_t>>("lengths");
  const int64_t chains = st.get<int64_t>("chains");
  const std::string drifting = st.get<std::string>("drifting");
  const auto stable = st.get<std::vector<std::string>>("stable");
  Signature s;
  std::vector<reports::Series> lines;
  std::vector<reports::Image> columns;
  std::map<std::string, std::vector<double>> mmd;
  std::map<std::string, double> density_gap;  // true_ll - grid_ll, nats per held-out example
  const auto variants = variants_of(c, "variants");
  for (size_t i = 0; i < variants.size(); ++i) {
    auto trained = train_for_study(c, variants[i].label, variants[i].overrides);
    Experiment& e = trained.experiment;
    auto mixture = datasets::toy_2d_mixture(e.data->name());
    if (!mixture || !e.sampler) c.file.fail("experiment.data.type", "long_run_samples needs a 2-D mixture data set and a sampler");
    torch::NoGradGuard no_grad;
    e.model->eval();
    auto held_out = e.data->evaluation_split().data().to(torch::kFloat64).slice(0, 0, chains);
    // The kernel's bandwidth: the median distance within the held-out data (as eval.mmd2).
    const double bandwidth = torch::cdist(held_out, held_out).median().item<double>();
    auto x = generate_samples(e, *e.sampler, chains, lengths.front());
    int64_t done = lengths.front();
    reports::Series line{variants[i].label, {}, {}, {}, reports::palette(i), true};
    nlohmann::ordered_json rows;
    std::vector<reports::Image> pictures;
    for (int64_t length : lengths) {
      if (length > done) x = e.sampler->run(*e.model, x, length - done), done = length;
      const double m = trainers::mmd2_unbiased(x.to(torch::kFloat64), held_out, bandwidth);
      rows[std::to_string(length)] = {{"mmd2", m}, {"on_mode_share", on_mode_share(x, *mixture)}};
      mmd[variants[i].label].push_back(m);
      line.x.push_back(static_cast<double>(length)), line.y.push_back(m);
      if (length == lengths.front() || length == lengths.back()) {
        pictures.push_back(reports::density_picture(*e.model, e.grid, x, variants[i].label + " after " + std::to_string(length), 200));
      }
    }
    columns.push_back(reports::stack_vertically(pictures));
    const auto& final = trained.run.summary["final"];
    if (!final.contains("grid_ll") || !final.contains("true_ll")) {
      c.file.fail("experiment.eval", "long_run_samples needs eval.grid_ll and eval.true_ll: the density gap is one of its figures");
    }
    density_gap[variants[i].label] = final["true_ll"].get<double>() - final["grid_ll"].get<double>();
    s.figures[variants[i].label] = {{"by_length", rows},
                                    {"grid_ll", final["grid_ll"]},
                                    {"true_ll", final["true_ll"]},
                                    {"density_gap", density_gap[variants[i].label]},
                                    {"mode_coverage", final.value("mode_coverage", NAN)}};
    s.runs.push_back(trained.run.dir);
    lines.push_back(line);
  }
  if (!mmd.count(drifting)) st.fail("drifting", "'" + drifting + "' is not the label of a variant");
  const double drift = mmd[drifting].back() / std::max(mmd[drifting].front(), 1e-4);
  std::string stable_text;
  for (const auto& label : stable) {
    if (!mmd.count(label)) st.fail("stable", "'" + label + "' is not the label of a variant");
    stable_text += fmt::format("; {} {} -> {}, density gap {} nats", label, figure(mmd[label].front()), figure(mmd[label].back()),
                               figure(density_gap[label]));
  }
  s.figures["drift_factor"] = drift;
  s.headline = fmt::format("MMD^2 to held-out data after {} -> {} steps: {} {} -> {} ({}x), density gap {} nats{}", lengths.front(),
                           lengths.back(), drifting, figure(mmd[drifting].front()), figure(mmd[drifting].back()), figure(drift),
                           figure(density_gap[drifting]), stable_text);
  reports::ChartOptions chart{"squared MMD between chains and held-out data against chain length", "Langevin steps from noise", "MMD^2"};
  chart.log_x = true;
  s.picture = c.path("long_run.png");
  reports::write_png(s.picture, reports::stack_vertically({reports::render_chart(chart, lines), side_by_side(columns)}));
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double factor = keys.get<double>("min_drift_factor"), min_gap = keys.get<double>("min_density_gap");
  const std::string drifting = keys.get<std::string>("drifting");
  const std::string longest = std::to_string(keys.get<std::vector<int64_t>>("lengths").back());
  const auto mmd = [&](const std::string& label) { return as_number(f[label]["by_length"][longest]["mmd2"]); };
  const auto gap = [&](const std::string& label) { return as_number(f[label]["density_gap"]); };
  bool separated = true, closer = true;
  for (const auto& label : keys.get<std::vector<std::string>>("stable")) {
    separated = separated && mmd(label) * factor < mmd(drifting);
    closer = closer && 2 * gap(label) < gap(drifting);
  }
  std::vector<Check> checks = {
      {drifting + "'s MMD^2 grows more than " + figure(factor) + " x from the training length to the longest run",
       as_number(f["drift_factor"]) > factor},
      {"and at the longest run is more than " + figure(factor) + " x every stable variant's", separated}};
  if (min_gap > 0) {
    checks.push_back({"its grid log-likelihood is more than " + figure(min_gap) + " nats below the truth's", gap(drifting) > min_gap});
    checks.push_back({"and more than twice as far below as every stable variant's", closer});
  }
  return checks;
}

const StudyRegistration registration(
    {"long_run_samples",
     "chains run far past the training length: short-run models drift from the data and lose their density, convergent ones do not",
     {variants_field(),
      list("lengths", values<int64_t>({40, 1000, 10000}), integer("steps", required(), 1, 1e8, "steps"),
           "chain lengths from noise, the training length first, increasing"),
      integer("chains", value(500), 10, 1e6, "chains (and held-out points compared)"),
      text("drifting", value("short_run"), "the label of the variant expected to drift"),
      list("stable", values<std::string>({"replay"}), text("label", required(), "variant"), "labels expected to stay close"),
      number("min_drift_factor", value(3.0), 0, 1e9, "drift and separation factor", true),
      number("min_density_gap", value(0.0), 0, 1e9,
             "nats the drifting model's grid log-likelihood must fall below the truth's (and twice as far as every "
             "stable variant's); 0 = the densities are reported, not judged")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
