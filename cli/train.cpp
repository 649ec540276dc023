#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "config/experiment.h"
#include "workflow/run_directory.h"
#include "workflow/training_run.h"
#include "config/schema.h"
#include "workflow/system_info.h"
#include "trainers/checkpoint.h"

namespace ebm::experiments {

int train_command(const TrainArguments& args) {
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

}  // namespace ebm::experiments
