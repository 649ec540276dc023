#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "experiments/commands.h"
#include "experiments/experiment.h"
#include "experiments/generation.h"
#include "experiments/run_directory.h"
#include "experiments/schema.h"
#include "experiments/system_info.h"
#include "trainers/checkpoint.h"

namespace ebm::experiments {

namespace {

// "step 400/4000 | loss -0.0123 | exact_ll -4.51 | 2150 steps/s | eta 2s"
std::string progress_line(const trainers::Metrics& row, int64_t total_steps) {
  std::string line = fmt::format("step {}/{}", row["step"].get<int64_t>(), total_steps);
  for (const auto& [key, value] : row.items()) {
    if (key == "step" || key == "steps_per_s" || key == "wall_s") continue;
    line += fmt::format(" | {} {:.5g}", key, value.get<double>());
  }
  const double speed = row["steps_per_s"].get<double>();
  const double eta = speed > 0 ? (total_steps - row["step"].get<int64_t>()) / speed : 0.0;
  return line + fmt::format(" | {:.0f} steps/s | eta {:.0f}s", speed, eta);
}

}  // namespace

int train_command(const TrainArguments& args) {
  namespace fs = std::filesystem;
  const bool resuming = !args.resume_dir.empty();
  std::optional<RunDirectory> run;
  if (resuming) run = RunDirectory::open(args.resume_dir);
  const std::string config_path = resuming ? run->config_path() : args.config_path;
  Config config = Config::load(config_path, args.overrides, experiment_schema());
  const std::string default_name =
      resuming ? fs::path(args.resume_dir).lexically_normal().filename().string()
               : fs::path(args.config_path).stem().string();
  int64_t resumed_step = 0;
  if (resuming) {
    // Everything about the resume is checked before anything in the run directory changes.
    require_same_training_setup(config, trainers::read_checkpoint_config(run->checkpoint_path()), true);
  }
  Experiment e = build_experiment(config, default_name);
  if (!resuming) run = RunDirectory::create(args.out_dir, e.name, args.force);

  spdlog::info("{}: {} on {} ({} examples), {} threads, BLAS {}", e.name, e.model->type_name(),
               e.data->name(), e.data->size(), torch::get_num_threads(), blas_description());
  trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, e.evaluators,
                            e.train_options.checkpoint_path(run->checkpoint_path()));
  if (resuming) {
    resumed_step = trainer.resume(run->checkpoint_path());
    if (e.train_options.steps() < resumed_step) {
      e.config.fail("train.steps", "is below the run's step " + std::to_string(resumed_step) +
                                       ": a resumed run can only train further");
    }
    run->truncate_metrics_after(resumed_step);
  }
  run->write_config(e.config.to_yaml());

  const int64_t total = e.train_options.steps();
  trainer.on_log([&](const trainers::Metrics& row) {
    run->append_metrics(row);
    if (!row.contains("rollback")) spdlog::info("{}", progress_line(row, total));
  });
  trainers::TrainingSummary summary = trainer.run();

  nlohmann::ordered_json out;
  out["name"] = e.name;
  out["run"] = run->path();
  out["steps"] = summary.steps;
  out["rollbacks"] = summary.rollbacks;
  out["wall_s"] = summary.wall_s;
  out["final"] = summary.final;
  out["best"] = summary.best;
  run->write_summary(out);
  spdlog::info("wrote {}", run->file("summary.json"));
  // The picture comes after the last checkpoint, so drawing it cannot change a resumed run.
  std::string note;
  if (auto sampler = sampler_for_pictures(e, &note)) {
    if (!note.empty()) spdlog::info("{}", note);
    torch::NoGradGuard no_grad;
    e.model->eval();
    const auto budget = picture_budget(e);
    auto samples = generate_samples(e, *sampler, budget.samples, budget.steps);
    const auto title = fmt::format("{} step {}: {} samples, {} x{}", e.name, summary.steps, budget.samples,
                                   sampler->name(), budget.steps);
    if (write_sample_picture(e, samples, run->file("samples.png"), title)) spdlog::info("wrote {}", run->file("samples.png"));
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace ebm::experiments
