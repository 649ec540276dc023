// energy_blowup: without a penalty on the energies' size, the contrastive loss
// mean E(x+) - mean E(x-) only fixes their difference, so both drift without bound during
// training (Du & Mordatch 2019 add alpha (E(x+)^2 + E(x-)^2), objective.energy_l2). A sweep of
// the penalty (ebm sweep underneath) records the largest |mean E| of the data and the negatives
// at every log step; unpenalised runs reach energies many times those of penalised ones, and
// larger penalties hold them lower. A run that diverges outright is rolled back and then stopped
// by the divergence guard; the sweep records it and the study reports where it stopped.
#include <torch/torch.h>

#include <cmath>

#include "experiments/study_support.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const auto penalties = st.get<std::vector<double>>("penalties");
  if (penalties.size() < 2 || penalties.front() != 0) st.fail("penalties", "needs 0 first and at least one penalty after it");
  std::string values;
  for (double p : penalties) values += (values.empty() ? "" : ",") + figure(p);
  SweepOptions options{{parse_vary("objective.energy_l2=" + values)}, c.path("sweep"), "energy_pos", ""};
  auto sweep = run_sweep(c.experiment(), options);
  Signature s;
  std::vector<reports::Series> lines;
  std::vector<double> largest;
  std::vector<bool> diverged;
  for (size_t i = 0; i < sweep.points.size(); ++i) {
    const auto& run = sweep.points[i].run;
    reports::Series line{"energy_l2 " + figure(penalties[i]), {}, {}, {}, reports::palette(i)};
    double most = 0, early = NAN;
    int64_t rollbacks = 0;
    for (const auto& row : run.rows) {
      if (row.contains("rollback")) {
        ++rollbacks;
        continue;
      }
      const double e = std::max(std::abs(metric_of(row, "energy_pos")), std::abs(metric_of(row, "energy_neg")));
      if (!std::isfinite(e)) continue;
      if (std::isnan(early)) early = e;
      most = std::max(most, e);
      line.x.push_back(row["step"].get<double>()), line.y.push_back(std::log10(std::max(e, 1e-6)));
    }
    largest.push_back(most);
    diverged.push_back(run.summary.contains("diverged"));
    auto& f = s.figures["energy_l2 " + figure(penalties[i])];
    f = {{"max_abs_mean_energy", most}, {"at_first_log", early}, {"rollbacks", rollbacks}, {"run", run.dir}};
    if (diverged.back()) f["diverged_at_step"] = run.summary["steps"];
    s.runs.push_back(run.dir);
    lines.push_back(line);
  }
  const std::string unpenalised =
      diverged.front() ? fmt::format("diverged at update {} (the guard stopped it after {} rollbacks), |mean E| reaching {}",
                                     s.figures["energy_l2 0"]["diverged_at_step"].get<int64_t>(),
                                     s.figures["energy_l2 0"]["rollbacks"].get<int64_t>(), figure(largest.front()))
                       : fmt::format("{} without a penalty", figure(largest.front()));
  s.headline = fmt::format("largest |mean E| during training: {}; {} with energy_l2 {}, {} with {}", unpenalised,
                           figure(largest[1]), figure(penalties[1]), figure(largest.back()), figure(penalties.back()));
  s.picture = write_chart(c, "energy_blowup.png",
                          {"energies during contrastive training, by energy penalty", "update", "log10 max(|E+|, |E-|)"}, lines);
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double factor = keys.get<double>("min_factor");
  const auto penalties = keys.get<std::vector<double>>("penalties");
  std::vector<double> largest;
  bool penalised_finish = true, falls = true;
  for (size_t i = 0; i < penalties.size(); ++i) {
    auto& run = f["energy_l2 " + figure(penalties[i])];
    largest.push_back(as_number(run["max_abs_mean_energy"]));
    if (i == 0) continue;
    penalised_finish = penalised_finish && !run.contains("diverged_at_step");
    falls = falls && largest[i] < largest[i - 1];
  }
  const bool blew_up = f["energy_l2 " + figure(penalties.front())].contains("diverged_at_step") ||
                       largest.front() > factor * largest.at(1);
  return {{"every penalised run finishes", penalised_finish},
          {"its largest |mean energy| falls as the penalty grows", falls},
          {"without a penalty training diverges or the energies reach more than " + figure(factor) +
               " x those of the smallest penalty",
           blew_up}};
}

const StudyRegistration registration(
    {"energy_blowup", "without an energy penalty the energies drift far from zero; with one they stay small",
     {list("penalties", values<double>({0, 0.01, 0.1, 1}), number("alpha", required(), 0, 1e6, "energy_l2"),
           "objective.energy_l2 of each run, increasing from 0"),
      number("min_factor", value(10.0), 0, 1e9, "how many times the smallest penalty's energies the unpenalised run must reach", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
