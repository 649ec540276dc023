#include <filesystem>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include <thread>

#include "cli/command.h"
#include "cli/launch.h"
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
  int jobs = 1;  // points side by side, each in a process of its own
};

// Whether the command line sets the config's threads (--set threads=K, or --vary threads=...).
bool sets_threads(const SweepArguments& args) {
  for (const auto& o : args.overrides) {
    if (o.rfind("threads=", 0) == 0) return true;
  }
  for (const auto& v : args.vary) {
    if (v.rfind("threads=", 0) == 0) return true;
  }
  return false;
}

int sweep(const SweepArguments& args) {
  SweepOptions options;
  for (const auto& v : args.vary) options.axes.push_back(parse_vary(v));
  options.metric = args.metric;
  auto overrides = args.overrides;
  if (args.jobs > 1) {
    // Each point's process gets its share of the cores, unless the command line sets threads.
    if (!sets_threads(args)) {
      overrides.push_back("threads=" + std::to_string(std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / args.jobs)));
    }
    options.in_processes = [&args](const std::vector<std::vector<std::string>>& commands, const std::vector<std::string>& logs) {
      size_t done = 0;
      return run_side_by_side(commands, logs, args.jobs, [&](size_t i, int status) {
        spdlog::info("sweep [{}/{}] point-{}: {}", ++done, commands.size(), i + 1,
                     status == 0 ? "done" : "ended with status " + std::to_string(status) + " (" + logs[i] + ")");
      });
    };
  }
  const auto source = ExperimentSource::file(args.config_path, overrides);
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
  command->add_option("--jobs", args->jobs, "train N points side by side, each in a process of its own with its share of the cores")
      ->check(CLI::Range(1, 1024));
  return {command, [args] { return sweep(*args); }};
}

}  // namespace ebm::experiments
