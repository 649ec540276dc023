// One training run into a run directory, as `ebm train` makes it (config.yaml, metrics.jsonl,
// checkpoint.pt, summary.json, samples.png), shared by `ebm train`, `ebm sweep` and the studies
// of `ebm reproduce`, so every run a study makes can be resumed, evaluated and exported.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "config/experiment.h"
#include "workflow/run_directory.h"

namespace ebm::experiments {

struct TrainingRun {
  std::string dir;
  nlohmann::ordered_json summary;
  std::vector<nlohmann::ordered_json> rows;  // the metric rows logged by this process
  // The first evaluator's primary metric, or the objective's first loss term without one.
  std::string primary_metric;
};

// A run the divergence guard stopped: the trainer's message, and the run as far as it got (its
// rows; its summary.json says "diverged" with the message). Sweeps record it and go on.
class DivergedRun : public trainers::TrainingDiverged {
 public:
  DivergedRun(const trainers::TrainingDiverged& cause, TrainingRun run)
      : trainers::TrainingDiverged(cause), run(std::move(run)) {}
  TrainingRun run;
};

// Sees each logged row with the experiment as it is then (its model, its objective's chains):
// the studies that measure a run while it trains.
using TrainingObserver = std::function<void(const nlohmann::ordered_json& row, Experiment& e)>;

// Trains `e` into `run` (a fresh run, or one resumed at `resumed_step` by the caller's trainer
// state). `quiet` logs only the first and last rows (sweeps and studies run many).
TrainingRun train_into(Experiment& e, trainers::Trainer& trainer, RunDirectory& run, bool quiet = false,
                       const TrainingObserver& observer = nullptr);

// Trains the run in `dir` further from its last checkpoint, as its config.yaml says with
// `overrides` (train.steps raised, say). Everything about the resume (the setup the checkpoint
// was trained with, the step) is checked before anything in the directory changes.
TrainingRun resume_run(const std::string& dir, const std::vector<std::string>& overrides,
                       const TrainingObserver& observer = nullptr);

// A new run of the built experiment `e` in `out_dir` (replaced when it holds a run and
// `replace`; empty: runs/<name>). Afterwards `e` holds the trained model (its optimiser has gone
// to the trainer), and the generators are as the run's last checkpoint left them, so what comes
// next draws the same numbers as it would from the run reloaded (the studies measure it in place).
// A TorchScript energy's file is copied into the run (energy.pt), and the run's config names
// the copy: the run resumes, samples and exports whatever becomes of the user's file.
TrainingRun train_new_run(Experiment& e, const std::string& out_dir, bool replace, bool quiet = false,
                          const TrainingObserver& observer = nullptr);
// The same for a validated experiment config, built here.
TrainingRun train_new_run(const Config& config, const std::string& default_name, const std::string& out_dir,
                          bool replace, bool quiet = false, const TrainingObserver& observer = nullptr);

// A run that ended (finished or diverged) as its directory records it: summary.json (with its
// primary_metric) and metrics.jsonl; what a sweep gathers from a run trained in another process.
TrainingRun read_run(const std::string& dir);

}  // namespace ebm::experiments
