#include "config/schema.h"

#include "config/components.h"
#include "trainers/trainer.h"

namespace ebm::experiments {

namespace {

Field eval_section() {
  std::vector<Field> fields;
  for (const auto& evaluator : evaluator_registry().components()) {
    fields.push_back(boolean(evaluator.name, value(false), evaluator.help + " (" + evaluator.accepts.describe() + ")"));
    fields.insert(fields.end(), evaluator.fields.begin(), evaluator.fields.end());
  }
  fields.insert(fields.end(), shared_eval_fields().begin(), shared_eval_fields().end());
  return section("eval", fields, "metrics computed at each log step (every train.eval_every steps if set); the first enabled one in this order defines 'best'");
}

Field build_schema() {
  const trainers::TrainerOptions defaults;  // the training loop's defaults are its options' own
  Field train = section(
      "train",
      {integer("steps", value(defaults.steps()), 1, 1e10, "parameter updates"),
       integer("batch_size", value(defaults.batch_size()), 1, 1e7, "examples per update"),
       schedule_registry().choice_field("lr_schedule"),
       number("grad_clip", value(defaults.grad_clip()), 0, 1e10, "rescale each update's gradient to at most this L2 norm; 0 = off"),
       integer("log_every", value(defaults.log_every()), 1, 1e10, "steps between metric rows"),
       integer("checkpoint_every", value(defaults.checkpoint_every()), 0, 1e10,
               "steps between checkpoints (a multiple of log_every); 0 = at the end only"),
       integer("eval_every", value(defaults.eval_every()), 0, 1e10,
               "steps between evaluations (a multiple of log_every; the last step is always evaluated); 0 = at "
               "every metric row"),
       choice("on_divergence", value("rollback"), {"rollback", "stop"},
              "on a non-finite loss or parameter, or an energy above max_abs_energy: go back to the last good "
              "state with a smaller learning rate, or stop (exit 1)"),
       number("max_abs_energy", value(defaults.max_abs_energy()), 0, 1e300,
              "largest |E(x)| on a training batch, checked at each log step, before training counts as diverged; 0 = off"),
       number("rollback_lr_factor", value(defaults.rollback_lr_factor()), 0, 1, "learning-rate factor after each rollback", true),
       integer("max_rollbacks", value(defaults.max_rollbacks()), 0, 1000, "rollbacks before the run stops (exit 1)"),
       integer("check_every", value(defaults.check_every()), 0, 1e10,
               "steps between reads of the loss terms from the device (and checks of the loss); 0 = every step on a "
               "CPU, where reading is free, every log_every steps on a GPU, where it waits for the device"),
       choice("cuda_graphs", value("auto"), {"auto", "on", "off"},
              "record the sampler's steps once as a CUDA graph and replay it each update: auto = where it applies "
              "(device cuda, a CUDA build of LibTorch, the gibbs and langevin samplers), on = require it, off = never")},
      "the training loop");

  return section(
      "",
      {text("name", value(""), "run name (letters, digits, '.', '-', '_'); empty = the config file's name"),
       integer("seed", value(0), 0, 9.2e18, "seeds every random draw"),
       integer("threads", value(0), 0, 1024, "CPU threads; 0 = all cores"),
       choice("device", value("cpu"), {"cpu", "cuda"}, "where tensors live"),
       choice("dtype", value("float32"), {"float32", "float64"}, "training precision"),
       data_registry().schema(), model_registry().schema(), sampler_registry().schema(),
       objective_registry().schema(), optimizer_registry().schema(), train, eval_section()},
      "an experiment");
}
}  // namespace

const Field& experiment_schema() {
  static const Field schema = build_schema();
  return schema;
}

}  // namespace ebm::experiments
