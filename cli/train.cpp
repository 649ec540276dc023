#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include <cstdlib>

#include "cli/command.h"
#include "cli/launch.h"
#include "distributed/world.h"
#include "config/experiment.h"
#include "workflow/training_run.h"
#include "config/schema.h"

namespace ebm::experiments {

namespace {

struct TrainArguments {
  std::string config_path;  // a YAML config, or empty with resume_dir
  std::string resume_dir;
  std::string out_dir;      // empty: runs/<name>
  bool force = false;
  std::vector<std::string> overrides;
  int nproc = 0;           // > 0: start this many ranks of a data-parallel job
  double timeout_s = 300;  // how long a rank waits for another before the job counts as hung
};

}  // namespace


int train(const TrainArguments& args) {
  namespace fs = std::filesystem;
  if (args.nproc > 0) {
    return launch_ranks(args.nproc, rank_arguments(args.nproc, ThreadsAs::config_override));
  }
  const auto world = distributed::World::from_environment(distributed::WorldOptions().timeout_s(args.timeout_s));
  distributed::World::join(world);
  const bool leads = !world || world->leads();
  if (!leads) spdlog::set_level(spdlog::level::warn);  // rank 0 reports progress
  auto result = [&] {
    if (!args.resume_dir.empty()) return resume_run(args.resume_dir, args.overrides);
    const Config config = Config::load(args.config_path, args.overrides, experiment_schema());
    return train_new_run(config, fs::path(args.config_path).stem().string(), args.out_dir, args.force);
  }();
  if (leads) std::cout << result.summary.dump() << std::endl;
  return 0;
}

Command add_train(CLI::App& app) {
  auto args = std::make_shared<TrainArguments>();
  auto* command = app.add_subcommand("train", "train a model from a YAML config");
  command->add_option("config", args->config_path, "experiment config (YAML)");
  command->add_option("--resume", args->resume_dir, "continue the run in this directory")->excludes(command->get_option("config"));
  command->add_option("--out", args->out_dir, "run directory (default runs/<name>)")->excludes("--resume");
  command->add_flag("--force", args->force, "replace the run already in --out");
  command->add_option("--set", args->overrides, "override a config key: --set train.steps=400 (repeatable)")
      ->allow_extra_args(false);
  command->add_option("--nproc", args->nproc, "train data-parallel in N processes on this host (docs/DISTRIBUTED.md)")
      ->check(CLI::Range(1, 1024));
  command->add_option("--timeout", args->timeout_s, "seconds a process waits for another before the job counts as hung")
      ->check(CLI::Range(1.0, 86400.0));
  return {command, [args] {
            if (args->config_path.empty() == args->resume_dir.empty()) throw ConfigError("train needs a CONFIG file or --resume DIR");
            if (!args->resume_dir.empty() && args->force) {
              throw ConfigError("--force replaces a run with a new one; --resume continues one: give one of them");
            }
            return train(*args);
          }};
}

}  // namespace ebm::experiments
