// The training loop shared by every model and objective: draw a batch, minimise the
// objective's loss with the optimiser, and at log steps evaluate, report and checkpoint.
// A checkpoint holds model, optimiser, objective state (persistent chains), batch order,
// generator state and the divergence guard's state, so a resumed run reproduces an
// uninterrupted one bit for bit (same seed, same thread count). Evaluation never consumes the
// training random stream.
//
// The divergence guard: a non-finite loss (found at the first check after it, naming its own
// step), a non-finite parameter or an energy with |E| above max_abs_energy (at log steps, on that
// step's data and negatives) counts as divergence, and so does a finite blow-up: an evaluator's
// primary metric below kBlowUpFactor (2) times the uniform model's (negative) value: an exact or
// pseudo-log-likelihood of binary data under -2 D log 2, twice the uniform model's loss. (A model
// still learning may dip below the uniform model for a while: 17% below in the catalogue's
// objective_comparison; the probe's blow-up at lr 1000 was 140 times below.) The trainer then restores the state of the
// last good log step, multiplies the learning rate by rollback_lr_factor and goes on, reporting
// a rollback row; after max_rollbacks (or at once when rollbacks are off) it throws
// TrainingDiverged, and the last checkpoint on disk stays resumable.
//
// No host synchronisation inside a step: the loss and its terms stay on the model's device and
// are read every check_every steps (and at log steps), all at once. On a CPU reading is free, so
// the default checks every step and a non-finite loss never reaches an update; on a GPU, and in
// a data-parallel job (where reading is a collective), it checks at log steps. Either way the outcome is the same: a rollback restores the last good
// log step's state whatever ran after the bad step.
//
// A checkpoint also holds the training data's fingerprint (rows, columns and a CRC-32 of their
// values): resume refuses data that changed under the same path and shape, and a checkpoint
// written for another run directory.
//
// Data parallel (distributed/world.h): with a world of W ranks, each rank trains on its W-th of
// every global batch (the ranks draw the batches' order from one shared stream and sample from
// one stream each, seeded from the seed and the rank); the gradients (objective parameters
// included), the loss terms, stop requests and divergence decisions are agreed on by
// collectives, so every rank takes the same steps. Rank 0 evaluates, reports and writes the
// checkpoint, which holds every rank's state (the others' beside its own) and the world size;
// resuming needs the same world size.
//
// Interruption (io/interrupt.h): a stop request is honoured between steps, or during an
// evaluation (which then runs again on resume). The trainer writes a checkpoint there, whatever
// checkpoint_every says, holding also the unfinished log interval's sums and the rollback state,
// so the resumed run logs and trains exactly as an uninterrupted one; then it throws
// TrainingInterrupted.
#pragma once

#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "distributed/world.h"
#include "io/interrupt.h"
#include "trainers/evaluator.h"
#include "trainers/objective.h"
#include "trainers/schedule.h"

namespace ebm::trainers {

// A log-likelihood below this many times the uniform model's counts as blown up.
constexpr double kBlowUpFactor = 2.0;

struct TrainerOptions {
  TORCH_ARG(int64_t, steps) = 1000;
  TORCH_ARG(int64_t, batch_size) = 32;
  TORCH_ARG(int64_t, log_every) = 100;
  // Checkpoint every this many steps (a multiple of log_every) and at the end; 0: at the end only.
  TORCH_ARG(int64_t, checkpoint_every) = 0;
  // Run the evaluators every this many steps (a multiple of log_every) and at the end; 0: at
  // every logged row. Rows in between carry the loss terms and speed only.
  TORCH_ARG(int64_t, eval_every) = 0;
  // Where the checkpoint goes (replaced atomically); empty: no checkpoints.
  TORCH_ARG(std::string, checkpoint_path) = "";
  // Learning-rate factor as a function of the fraction of training done (trainers/schedule.h).
  TORCH_ARG(std::function<double(double)>, lr_schedule) = constant_schedule;
  // Rescale the gradient to at most this global L2 norm before each update; 0 = off.
  TORCH_ARG(double, grad_clip) = 0;
  // The divergence guard (see above). max_abs_energy 0 = no energy limit.
  TORCH_ARG(bool, rollback_on_divergence) = true;
  TORCH_ARG(double, max_abs_energy) = 1e6;
  TORCH_ARG(double, rollback_lr_factor) = 0.5;
  TORCH_ARG(int64_t, max_rollbacks) = 5;
  // Read the loss terms (and check the loss) every this many steps; 0: every step on a CPU,
  // every log_every steps on a GPU.
  TORCH_ARG(int64_t, check_every) = 0;
  // Stored in each checkpoint, so a resumed run can tell what it was trained with.
  TORCH_ARG(std::string, config_text) = "";
  // The run directory's identity (RunDirectory::id), stored in each checkpoint; resume refuses
  // a checkpoint of another run. Empty: not checked.
  TORCH_ARG(std::string, run_id) = "";
  // The data-parallel job this trainer is one rank of; none: a single process.
  TORCH_ARG(std::shared_ptr<distributed::World>, world) = nullptr;
};

struct TrainingSummary {
  Metrics final, best;
  int64_t steps = 0, rollbacks = 0;
  double wall_s = 0;
};

// Training diverged beyond what rollbacks allow; the message names the step, the quantity and
// the last checkpoint.
class TrainingDiverged : public std::runtime_error {
 public:
  TrainingDiverged(const std::string& message, int64_t step) : std::runtime_error(message), step(step) {}
  int64_t step;  // the update at which it was detected
};

// A stop request honoured at `step`; `checkpoint` is where the state went ("" without a path).
class TrainingInterrupted : public io::Interrupted {
 public:
  TrainingInterrupted(int signal, int64_t step, std::string checkpoint);
  int64_t step;
  std::string checkpoint;
};

class Trainer {
 public:
  Trainer(EnergyModelPtr model, std::shared_ptr<Objective> objective,
          std::unique_ptr<torch::optim::Optimizer> optimizer, datasets::Dataset data,
          std::vector<std::shared_ptr<Evaluator>> evaluators, TrainerOptions options);

  // Receives each logged row: step, mean loss terms since the last row, metrics, speed; and
  // rollback rows: step, rollback (the count), reason, lr_factor.
  void on_log(std::function<void(const Metrics&)> callback) { on_log_ = std::move(callback); }
  // A heartbeat between logged rows: the step and the speed since the last row, once `every_s`
  // seconds of wall time have passed since the last row or heartbeat. Reads only the clock.
  void on_progress(double every_s, std::function<void(int64_t step, double steps_per_s)> callback) {
    progress_every_s_ = every_s;
    on_progress_ = std::move(callback);
  }
  // Told each time a checkpoint is on disk, with its step.
  void on_checkpoint(std::function<void(int64_t step)> callback) { on_checkpoint_ = std::move(callback); }
  // Restores a checkpoint written by a trainer of the same configuration; returns its step.
  int64_t resume(const std::string& path);
  // Trains up to options.steps (from the resumed step, if any).
  TrainingSummary run();

 private:
  // Why training counts as diverged, and at which step; empty when it does not.
  struct Divergence {
    std::string reason;
    int64_t step = 0;
    explicit operator bool() const { return !reason.empty(); }
  };
  Metrics log_row(double interval_s);
  // The rest of a log step once the update is done: the row, its callback, the checkpoint; or
  // a rollback when a metric shows a finite blow-up.
  void complete_log_step(double interval_s);
  // An evaluator's metric in `row` far below the uniform model's value.
  Divergence metric_blow_up(const Metrics& row) const;
  // Saves the state (with the unfinished interval) and throws TrainingInterrupted.
  [[noreturn]] void stop(double interval_s, int signal);
  // At a log step: whether the model counts as diverged.
  Divergence divergence(const torch::Tensor& batch, const std::vector<torch::Tensor>& energies);
  void roll_back(const Divergence& why);
  void set_learning_rates();
  // Reads the losses and terms held since the last check (the newest at `newest_step`) into the
  // interval's sums; a divergence if a loss was not finite.
  Divergence read_pending(int64_t newest_step);
  void write_state(torch::serialize::OutputArchive& archive) const;
  // Restores a state; io::InputError naming `origin` when it does not fit.
  void read_state(torch::serialize::InputArchive& archive, const std::string& origin);
  void read_state_unchecked(torch::serialize::InputArchive& archive, const std::string& origin);
  std::string state_bytes() const;  // the checkpoint's content, serialised
  // Writes a checkpoint of this state (plus `extra`, an interruption's entries); in a world,
  // every rank calls it and rank 0 writes the others' states beside its own.
  void write_checkpoint(const std::string& state, const std::function<void(torch::serialize::OutputArchive&)>& extra);
  // In a world, the value all ranks agree on (the largest); the value itself otherwise.
  int64_t agreed(int64_t value) const;
  const std::string& data_fingerprint() const;  // computed once

  EnergyModelPtr model_;
  std::shared_ptr<Objective> objective_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::vector<torch::Tensor> trained_;  // every tensor the optimiser updates
  datasets::Dataset data_;
  datasets::BatchIterator batches_;
  std::vector<std::shared_ptr<Evaluator>> evaluators_;
  TrainerOptions options_;
  std::function<void(const Metrics&)> on_log_;
  std::function<void(int64_t, double)> on_progress_;
  std::function<void(int64_t)> on_checkpoint_;
  double progress_every_s_ = 0;

  std::vector<double> base_lrs_;  // per parameter group
  double lr_factor_ = 1;          // product of the rollback factors so far
  int64_t rollbacks_ = 0;
  int64_t step_ = 0, checkpoint_step_ = -1;
  double wall_s_ = 0;
  Metrics best_, last_;
  std::vector<std::pair<std::string, double>> term_sums_;  // "loss", then the objective's terms
  std::vector<torch::Tensor> pending_;  // per step since the last check: loss, then each term
  int64_t check_every_ = 1;
  int64_t steps_in_interval_ = 0;
  std::string good_state_;        // the serialised state of the last good log step
  // Restored from an interruption's checkpoint: the interval's seconds so far, and whether the
  // log step at step_ (its evaluation) is still to do.
  double carried_interval_s_ = 0;
  bool log_due_ = false;
  mutable std::string data_fingerprint_;
  int agreed_stop_ = 0;  // in a world: the stop request some rank had at the last update
};

}  // namespace ebm::trainers
