// energy_blowup: without a penalty on the energies' size, the contrastive loss
// mean E(x+) - mean E(x-) only fixes their difference, so both drift without bound during
// training (Du & Mordatch 2019 add alpha (E(x+)^2 + E(x-)^2), objective.energy_l2). A sweep of
// the penalty (ebm sweep underneath) records the largest |mean E| of the data and the negatives
// at every log step; unpenalised runs reach energies many times those of penalised ones, and
// larger penalties hold them lower. A run that diverges outright is rolled back and then stopped
// by the divergence guard; the sweep records it and the study reports where it stopped.
#include <torch/torch.h>

#include <cmath>

#include "experiments/study_types.h"
#include "experiments/study_support.h"

namespace ebm::experiments {

Signature study_energy_blowup(const StudyContext& c) {
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
  const double factor = st.get<double>("min_factor");
  bool falls = true, penalised_finish = true;
  for (size_t i = 1; i < largest.size(); ++i) {
    falls = falls && largest[i] < largest[i - 1];
    penalised_finish = penalised_finish && !diverged[i];
  }
  s.reproduced = falls && penalised_finish && (diverged.front() || largest.front() > factor * largest[1]);
  const std::string unpenalised =
      diverged.front() ? fmt::format("diverged at update {} (the guard stopped it after {} rollbacks), |mean E| reaching {}",
                                     s.figures["energy_l2 0"]["diverged_at_step"].get<int64_t>(),
                                     s.figures["energy_l2 0"]["rollbacks"].get<int64_t>(), figure(largest.front()))
                       : fmt::format("{} without a penalty", figure(largest.front()));
  s.headline = fmt::format("largest |mean E| during training: {}; {} with energy_l2 {}, {} with {}", unpenalised,
                           figure(largest[1]), figure(penalties[1]), figure(largest.back()), figure(penalties.back()));
  s.criterion = "every penalised run finishes and its largest |mean energy| falls as the penalty grows; without a "
                "penalty training diverges or the energies reach more than " + figure(factor) +
                " x those of the smallest penalty";
  s.picture = write_chart(c, "energy_blowup.png",
                          {"energies during contrastive training, by energy penalty", "update", "log10 max(|E+|, |E-|)"}, lines);
  return s;
}

}  // namespace ebm::experiments
