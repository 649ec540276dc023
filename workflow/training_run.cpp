#include "workflow/training_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/schema.h"
#include "io/atomic_file.h"
#include "io/input_error.h"

#include "distributed/world.h"
#include "trainers/checkpoint.h"
#include "workflow/generation.h"
#include "workflow/system_info.h"

namespace ebm::experiments {

namespace {

// "step 400/4000 | loss -0.0123 | exact_ll -4.51 | 2150 steps/s | eta 2s"
std::string progress_line(const trainers::Metrics& row, int64_t total_steps) {
  std::string line = fmt::format("step {}/{}", row["step"].get<int64_t>(), total_steps);
  for (const auto& [key, value] : row.items()) {
    // The repeats of an estimate (ais_log_z_repeats) stay in metrics.jsonl.
    if (key == "step" || key == "steps_per_s" || key == "wall_s" || !value.is_number()) continue;
    line += fmt::format(" | {} {:.5g}", key, value.get<double>());
  }
  const double speed = row["steps_per_s"].get<double>();
  const double eta = speed > 0 ? (total_steps - row["step"].get<int64_t>()) / speed : 0.0;
  return line + fmt::format(" | {:.0f} steps/s | eta {:.0f}s", speed, eta);
}

// The run's own copy of a TorchScript energy (the experiment was built from the same bytes).
void keep_energy_file(Experiment& e, const RunDirectory& run) {
  if (e.config.get<std::string>("model.type") != "torchscript") return;
  const std::string source = e.config.get<std::string>("model.path");
  std::ifstream in(source, std::ios::binary);
  if (!in.is_open()) e.config.fail("model.path", "cannot read " + source + " to keep a copy in the run");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string kept = std::filesystem::absolute(run.file("energy.pt")).lexically_normal().string();
  io::write_file_atomically(kept, bytes.str());
  e.config.set("model.path", kept);
  e.train_options.config_text(e.config.to_yaml());
}

}  // namespace

TrainingRun train_into(Experiment& e, trainers::Trainer& trainer, RunDirectory& run, bool quiet,
                       const TrainingObserver& observer) {
  run.write_config(e.config.to_yaml());
  TrainingRun result;
  result.dir = run.path();
  const int64_t total = e.train_options.steps();
  trainer.on_log([&](const trainers::Metrics& row) {
    run.append_metrics(row);
    result.rows.push_back(row);
    if (row.contains("rollback")) return;
    if (observer) observer(row, e);
    const int64_t step = row["step"].get<int64_t>();
    if (!quiet || step == total || result.rows.size() == 1) spdlog::info("{}", progress_line(row, total));
  });
  if (!quiet) {
    // Long intervals between logged rows (a 500-unit CD-25 run logs every 17 minutes) still show
    // that training moves, once a minute.
    trainer.on_progress(60, [&](int64_t step, double steps_per_s) {
      spdlog::info("step {}/{} | {:.0f} steps/s | eta {:.0f}s", step, total, steps_per_s,
                   steps_per_s > 0 ? (total - step) / steps_per_s : 0.0);
    });
  }
  trainer.on_checkpoint([&](int64_t) { run.checkpoint_written(); });
  const auto started = std::chrono::steady_clock::now();
  auto& out = result.summary;
  out["name"] = e.name;
  out["run"] = run.path();
  if (!e.evaluators.empty()) result.primary_metric = e.evaluators.front()->primary_metric();
  trainers::TrainingSummary summary;
  try {
    try {
      summary = trainer.run();
    } catch (const c10::Error&) {
      rethrow_naming_sizes(e.config, "in training", {"train.batch_size", "objective"});
    }
  } catch (const trainers::TrainingDiverged& diverged) {
    int64_t rollbacks = 0;
    for (const auto& row : result.rows) rollbacks += row.contains("rollback");
    for (const auto& row : result.rows) {
      if (result.primary_metric.empty() && !row.contains("rollback") && row.size() > 1) {
        result.primary_metric = std::next(row.begin()).key();
      }
    }
    out["primary_metric"] = result.primary_metric;
    out["diverged"] = diverged.what();
    out["steps"] = diverged.step;
    out["rollbacks"] = rollbacks;
    out["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    run.write_summary(out);
    throw DivergedRun(diverged, result);
  } catch (const trainers::TrainingInterrupted& interrupted) {
    out["interrupted"] = io::signal_name(interrupted.signal);
    out["steps"] = interrupted.step;
    out["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    run.write_summary(out);
    throw io::Interrupted(std::string(interrupted.what()) +
                              (interrupted.checkpoint.empty() ? "" : "; resume with: ebm train --resume " + run.path()),
                          interrupted.signal);
  }
  if (result.primary_metric.empty() && summary.final.size() > 1) {
    result.primary_metric = std::next(summary.final.begin()).key();  // after "step"
  }
  out["primary_metric"] = result.primary_metric;
  out["steps"] = summary.steps;
  out["rollbacks"] = summary.rollbacks;
  out["wall_s"] = summary.wall_s;
  out["final"] = summary.final;
  out["best"] = summary.best;
  run.write_summary(out);
  if (!quiet) spdlog::info("wrote {}", run.file("summary.json"));
  // The picture comes after the last checkpoint, so drawing it cannot change a resumed run, and
  // its draws are taken back: the generators stay as that checkpoint holds them.
  const auto at_last_checkpoint = trainers::GeneratorSnapshot::capture();
  std::string note;
  if (auto sampler = sampler_for_pictures(e, &note)) {
    if (!note.empty() && !quiet) spdlog::info("{}", note);
    torch::NoGradGuard no_grad;
    e.model->eval();
    const auto budget = picture_budget(e);
    auto samples = generate_samples(e, *sampler, budget.samples, budget.steps);
    const auto title = fmt::format("{} step {}: {} samples, {} x{}", e.name, summary.steps, budget.samples,
                                   sampler->name(), budget.steps);
    if (write_sample_picture(e, samples, run.file("samples.png"), title) && !quiet) {
      spdlog::info("wrote {}", run.file("samples.png"));
    }
    if (write_filter_picture(e, run.file("filters.png")) && !quiet) spdlog::info("wrote {}", run.file("filters.png"));
    if (write_persistent_chain_picture(e, run.file("chains.png")) && !quiet) spdlog::info("wrote {}", run.file("chains.png"));
    e.model->train();
  }
  at_last_checkpoint.restore();
  return result;
}

namespace {
// Every rank of a job trains one config: each sends its own (as resolved before the run kept a
// copy of a TorchScript file) and all refuse, naming the first rank that differs and how.
void require_one_config(distributed::World& world, const std::string& config_text) {
  const auto configs = world.gather(config_text);
  for (int r = 1; r < world.size(); ++r) {
    if (configs[r] == configs[0]) continue;
    std::istringstream mine(configs[r]), leader(configs[0]);
    std::string a, b;
    while (std::getline(mine, a) && std::getline(leader, b) && a == b) {
    }
    throw io::InputError(fmt::format("rank {}'s config differs from rank 0's (rank {}: '{}', rank 0: '{}'): every rank of a "
                                     "job trains the same config",
                                     r, r, a, b));
  }
}

// Ranks other than 0 train without a run directory: rank 0 owns it and sends its checkpoint
// path and id (which the ranks' states record and which decide when checkpoints come).
TrainingRun follow(Experiment& e, distributed::World& world, const std::string& resume_from) {
  const std::string sent = world.broadcast("");
  require_one_config(world, e.config.to_yaml());
  const auto newline = sent.find('\n');
  trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, e.evaluators,
                            e.train_options.checkpoint_path(sent.substr(0, newline)).run_id(sent.substr(newline + 1)));
  if (!resume_from.empty()) trainer.resume(resume_from);
  const auto summary = trainer.run();
  TrainingRun result;
  result.summary["steps"] = summary.steps;
  result.summary["rank"] = world.rank();
  return result;
}

// Rank 0's half of that exchange.
void lead(const RunDirectory& run, distributed::World* world, const std::string& config_text) {
  if (!world) return;
  world->broadcast(run.checkpoint_path() + "\n" + run.id());
  require_one_config(*world, config_text);
}
}  // namespace

TrainingRun train_new_run(Experiment& e, const std::string& out_dir, bool replace, bool quiet,
                          const TrainingObserver& observer) {
  const auto world = distributed::World::joined();
  e.train_options.world(world);
  if (world && !world->leads()) return follow(e, *world, "");
  const std::string config_text = e.config.to_yaml();  // before the run keeps its own TorchScript file
  RunDirectory run = RunDirectory::create(out_dir, e.name, replace);
  lead(run, world.get(), config_text);
  keep_energy_file(e, run);
  if (!quiet) {
    spdlog::info("{}: {} on {} ({} examples), {} threads, BLAS {}", e.name, e.model->type_name(), e.data->name(),
                 e.data->size(), torch::get_num_threads(), blas_description());
  }
  trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, e.evaluators,
                            e.train_options.checkpoint_path(run.checkpoint_path()).run_id(run.id()));
  return train_into(e, trainer, run, quiet, observer);
}

TrainingRun train_new_run(const Config& config, const std::string& default_name, const std::string& out_dir,
                          bool replace, bool quiet, const TrainingObserver& observer) {
  Experiment e = build_experiment(config, default_name);
  return train_new_run(e, out_dir, replace, quiet, observer);
}

TrainingRun resume_run(const std::string& dir, const std::vector<std::string>& overrides,
                       const TrainingObserver& observer) {
  const auto world = distributed::World::joined();
  if (world && !world->leads()) {  // reads the run's config where rank 0 does: a shared directory
    Experiment e = build_experiment(Config::load((std::filesystem::path(dir) / "config.yaml").string(), overrides, experiment_schema()),
                                    std::filesystem::path(dir).lexically_normal().filename().string());
    e.train_options.world(world);
    return follow(e, *world, (std::filesystem::path(dir) / "checkpoint.pt").string());
  }
  RunDirectory run = RunDirectory::resume(dir);
  Config config = Config::load(run.config_path(), overrides, experiment_schema());
  require_same_training_setup(config, trainers::read_checkpoint_config(run.checkpoint_path()), true);
  Experiment e = build_experiment(config, std::filesystem::path(dir).lexically_normal().filename().string());
  spdlog::info("{}: resuming {} on {}", e.name, e.model->type_name(), e.data->name());
  e.train_options.world(world);
  lead(run, world.get(), e.config.to_yaml());
  trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, e.evaluators,
                            e.train_options.checkpoint_path(run.checkpoint_path()).run_id(run.id()));
  const int64_t resumed_step = trainer.resume(run.checkpoint_path());
  if (e.train_options.steps() < resumed_step) {
    e.config.fail("train.steps", "is below the run's step " + std::to_string(resumed_step) +
                                     ": a resumed run can only train further");
  }
  run.truncate_metrics_after(resumed_step);
  return train_into(e, trainer, run, false, observer);
}

TrainingRun read_run(const std::string& dir) {
  TrainingRun run;
  run.dir = dir;
  const auto summary_path = std::filesystem::path(dir) / "summary.json";
  std::ifstream summary(summary_path);
  if (!summary) throw io::InputError(summary_path.string() + ": no such file (the run did not end)");
  run.summary = nlohmann::ordered_json::parse(summary, nullptr, /*allow_exceptions=*/false);
  if (!run.summary.is_object()) throw io::InputError(summary_path.string() + ": not a JSON object");
  if (run.summary.contains("primary_metric")) run.primary_metric = run.summary["primary_metric"].get<std::string>();
  std::ifstream metrics(std::filesystem::path(dir) / "metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    if (!line.empty()) run.rows.push_back(nlohmann::ordered_json::parse(line));
  }
  return run;
}

}  // namespace ebm::experiments
