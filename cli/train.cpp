#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/command.h"
#include "config/experiment.h"
#include "workflow/run_directory.h"
#include "workflow/training_run.h"
#include "config/schema.h"
#include "workflow/system_info.h"
#include "trainers/checkpoint.h"

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
  const bool resuming = !args.resume_dir.empty();
  std::optional<RunDirectory> run;
  if (resuming) run = RunDirectory::resume(args.resume_dir);
  const std::string config_path = resuming ? run->config_path() : args.config_path;
  Config config = Config::load(config_path, args.overrides, experiment_schema());
  const std::string default_name =
      resuming ? fs::path(args.resume_dir).lexically_normal().filename().string()
               : fs::path(args.config_path).stem().string();
  if (resuming) {
    // Everything about the resume is checked before anything in the run directory changes.
    require_same_training_setup(config, trainers::read_checkpoint_config(run->checkpoint_path()), true);
  }
  if (!resuming) {
    std::cout << train_new_run(config, default_name, args.out_dir, args.force).summary.dump() << std::endl;
    return 0;
  }
  Experiment e = build_experiment(config, default_name);
  spdlog::info("{}: resuming {} on {}", e.name, e.model->type_name(), e.data->name());
  trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, e.evaluators,
                            e.train_options.checkpoint_path(run->checkpoint_path()).run_id(run->id()));
  const int64_t resumed_step = trainer.resume(run->checkpoint_path());
  if (e.train_options.steps() < resumed_step) {
    e.config.fail("train.steps", "is below the run's step " + std::to_string(resumed_step) +
                                     ": a resumed run can only train further");
  }
  run->truncate_metrics_after(resumed_step);
  TrainingRun result = train_into(e, trainer, *run);
  std::cout << result.summary.dump() << std::endl;
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
