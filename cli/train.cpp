#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
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
};

}  // namespace


int train(const TrainArguments& args) {
  namespace fs = std::filesystem;
  if (!args.resume_dir.empty()) {
    std::cout << resume_run(args.resume_dir, args.overrides).summary.dump() << std::endl;
    return 0;
  }
  const Config config = Config::load(args.config_path, args.overrides, experiment_schema());
  const std::string default_name = fs::path(args.config_path).stem().string();
  std::cout << train_new_run(config, default_name, args.out_dir, args.force).summary.dump() << std::endl;
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
  return {command, [args] {
            if (args->config_path.empty() == args->resume_dir.empty()) throw ConfigError("train needs a CONFIG file or --resume DIR");
            if (!args->resume_dir.empty() && args->force) {
              throw ConfigError("--force replaces a run with a new one; --resume continues one: give one of them");
            }
            return train(*args);
          }};
}

}  // namespace ebm::experiments
