// A sweep: one training run per point of a grid of config values (`--vary KEY=V1,V2,...`, the
// product over several keys), each a full run directory under OUT/runs/, and the metric of every
// run gathered in OUT/sweep.jsonl (one row per point: its values, its run, the metric's final
// and best values, seconds), a Markdown table OUT/sweep.md and learning curves OUT/sweep.png.
// Every point's config is validated before the first run starts. With `in_processes`, the
// points run side by side (`ebm sweep --jobs N`) and the same files are gathered afterwards. The studies of
// `ebm reproduce` are built on it; docs/FAILURE_MODES.md shows how to write one's own.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "workflow/training_run.h"

namespace ebm::experiments {

struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};
// "train.lr=0.1,0.01" -> {train.lr, {0.1, 0.01}}; ConfigError naming the text when malformed.
SweepAxis parse_vary(const std::string& text);

// Where a sweep's configs come from: a YAML document (a config file's text, or the
// `experiment` section of a study) with overrides applied to every point.
struct ExperimentSource {
  std::string yaml, origin;
  std::vector<std::string> overrides;
  // The validated config with `extra` overrides applied after the source's own.
  Config config(const std::vector<std::string>& extra = {}) const;
  static ExperimentSource file(const std::string& path, std::vector<std::string> overrides);
};

struct SweepPoint {
  std::vector<std::string> assignments;  // "KEY=VALUE" per axis
  std::string label;                     // "KEY=VALUE, KEY=VALUE" with the last key segment only
  TrainingRun run;
};

struct SweepResult {
  std::string metric;  // the metric gathered (the run's primary one when not chosen)
  std::vector<SweepPoint> points;
  std::string table;  // sweep.md's text
};

// Runs `ebm train` commands (arguments without the program's name) side by side, each one's
// output to its log, and returns their exit statuses (cli/launch.h's run_side_by_side).
using ProcessRunner =
    std::function<std::vector<int>(const std::vector<std::vector<std::string>>& commands, const std::vector<std::string>& logs)>;

struct SweepOptions {
  std::vector<SweepAxis> axes;
  std::string out_dir, metric;  // metric empty: the first evaluator's primary metric
  std::string title;            // of the plot; empty: the metric and the axes
  // Where given, every point trains as `ebm train SOURCE --set ... --out OUT/runs/point-N` in a
  // process of its own (its log OUT/runs/point-N.log) through this runner; the source must be a
  // config file. Empty: the points train one after another in this process.
  ProcessRunner in_processes;
};

SweepResult run_sweep(const ExperimentSource& source, const SweepOptions& options);

// The metric's value in a metric row or summary record, or NaN when the row lacks it.
double metric_of(const nlohmann::ordered_json& row, const std::string& metric);

}  // namespace ebm::experiments
