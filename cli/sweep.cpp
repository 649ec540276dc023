#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "workflow/run_directory.h"
#include "workflow/sweep.h"

namespace ebm::experiments {

namespace {

namespace fs = std::filesystem;

// `ebm sweep`: one training run per point of the grid of --vary values (workflow/sweep.h).
struct SweepArguments {
  std::string config_path, out_dir, metric;
  std::vector<std::string> vary, overrides;
  bool force = false;
};

int sweep(const SweepArguments& args) {
  SweepOptions options;
  for (const auto& v : args.vary) options.axes.push_back(parse_vary(v));
  options.metric = args.metric;
  const auto source = ExperimentSource::file(args.config_path, args.overrides);
  const std::string name = fs::path(args.config_path).stem().string();
  const auto output = output_directory(
      args.out_dir, "runs/sweep/" + name, [](const std::string& d) { return fs::exists(fs::path(d) / "sweep.jsonl"); },
      args.out_dir + " already holds a sweep: pass --force to replace it", args.force);
  options.out_dir = output.path;
  SweepResult result = run_sweep(source, options);
  std::cout << result.table << options.out_dir << "/sweep.jsonl" << std::endl;
  return 0;
}

}  // namespace

Command add_sweep(CLI::App& app) {
  auto args = std::make_shared<SweepArguments>();
  auto* command = app.add_subcommand("sweep", "train once per point of a grid of config values; sweep.jsonl, a table and a plot");
  command->add_option("config", args->config_path, "experiment config (YAML)")->required();
  command->add_option("--vary", args->vary, "KEY=V1,V2,... (repeatable: the grid is the product)")->required()->allow_extra_args(false);
  command->add_option("--metric", args->metric, "the metric gathered (default the first evaluator's)");
  command->add_option("--out", args->out_dir, "output directory (default runs/sweep/<config name>)");
  command->add_flag("--force", args->force, "replace the sweep already in --out");
  command->add_option("--set", args->overrides, "override a config key of every point (repeatable)")->allow_extra_args(false);
  return {command, [args] { return sweep(*args); }};
}

}  // namespace ebm::experiments
