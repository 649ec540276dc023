// The training loop shared by every model and objective: draw a batch, minimise the
// objective's loss with the optimiser, and at log steps evaluate, report and checkpoint.
// A checkpoint holds model, optimiser, objective state (persistent chains), batch order and
// generator state, so a resumed run reproduces an uninterrupted one bit for bit (same seed,
// same thread count). Evaluation never consumes the training random stream.
#pragma once

#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "trainers/evaluator.h"
#include "trainers/objective.h"

namespace ebm::trainers {

struct TrainerOptions {
  TORCH_ARG(int64_t, steps) = 1000;
  TORCH_ARG(int64_t, batch_size) = 32;
  TORCH_ARG(int64_t, log_every) = 100;
  // Checkpoint every this many steps (a multiple of log_every) and at the end; 0: at the end only.
  TORCH_ARG(int64_t, checkpoint_every) = 0;
  // Where the checkpoint goes (replaced atomically); empty: no checkpoints.
  TORCH_ARG(std::string, checkpoint_path) = "";
  // Learning-rate schedule over `steps` (trainers/schedule.h): constant | linear | cosine.
  TORCH_ARG(std::string, lr_schedule) = "constant";
  // Rescale the gradient to at most this global L2 norm before each update; 0 = off.
  TORCH_ARG(double, grad_clip) = 0;
};

struct TrainingSummary {
  Metrics final, best;
  int64_t steps = 0;
  double wall_s = 0;
};

class Trainer {
 public:
  Trainer(EnergyModelPtr model, std::shared_ptr<Objective> objective,
          std::unique_ptr<torch::optim::Optimizer> optimizer, datasets::Dataset data,
          std::vector<std::shared_ptr<Evaluator>> evaluators, TrainerOptions options);

  // Receives each logged row: step, mean loss terms since the last row, metrics, speed.
  void on_log(std::function<void(const Metrics&)> callback) { on_log_ = std::move(callback); }
  // Restores a checkpoint written by a trainer of the same configuration; returns its step.
  int64_t resume(const std::string& path);
  // Trains up to options.steps (from the resumed step, if any).
  TrainingSummary run();

 private:
  Metrics log_row(double interval_s);
  void save_checkpoint() const;

  EnergyModelPtr model_;
  std::shared_ptr<Objective> objective_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  datasets::Dataset data_;
  datasets::BatchIterator batches_;
  std::vector<std::shared_ptr<Evaluator>> evaluators_;
  TrainerOptions options_;
  std::function<void(const Metrics&)> on_log_;

  std::vector<double> base_lrs_;  // per parameter group
  int64_t step_ = 0;
  double wall_s_ = 0;
  Metrics best_, last_;
  std::vector<std::pair<std::string, double>> term_sums_;
  int64_t steps_in_interval_ = 0;
};

}  // namespace ebm::trainers
