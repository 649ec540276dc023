// An experiment assembled from a validated config: the name-to-factory registry that turns
// `model.type`, `sampler.type`, `objective.type`, `optimizer.type` and `data.type` into objects.
// Building seeds the generators and sets the thread count first, so the same config gives the
// same run.
#pragma once

#include <memory>
#include <vector>

#include "datasets/dataset.h"
#include "ebm/gaussian.h"
#include "ebm/grid_quadrature.h"
#include "experiments/config.h"
#include "samplers/sampler.h"
#include "trainers/evaluator.h"
#include "trainers/objective.h"
#include "trainers/trainer.h"

namespace ebm::experiments {

struct Experiment {
  std::string name;
  torch::Device device = torch::kCPU;
  std::shared_ptr<datasets::Dataset> data;
  // The data's exact density, where the dataset knows it (the 2-D mixtures); else null.
  std::shared_ptr<AnalyticDensity> truth;
  // The square that pictures and grid evaluators of 2-D models cover.
  QuadratureGrid grid;
  EnergyModelPtr model;
  std::shared_ptr<samplers::Sampler> sampler;
  std::shared_ptr<trainers::Objective> objective;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::vector<std::shared_ptr<trainers::Evaluator>> evaluators;
  trainers::TrainerOptions train_options;
};

// Throws ConfigError (located at the offending key) for combinations the schema cannot express:
// an objective or evaluator that cannot handle the model, an unavailable device.
Experiment build_experiment(const Config& config, const std::string& default_name);

// The experiment of a run directory with the model of its last checkpoint loaded; `step`
// receives the checkpoint's step. `overrides` change the run's config for this use only (the
// sampler a tool runs, say; not the model, whose checkpoint must still fit). Throws ConfigError
// when DIR holds no run.
Experiment load_trained_experiment(const std::string& run_dir, int64_t* step,
                                   const std::vector<std::string>& overrides = {});

// The experiment a tool works on: the trained model of `run_dir` when it is given (`step` its
// checkpoint's step), else the freshly initialised one of `config_path` (`step` 0), either
// with `overrides`. Exactly one of the two must be non-empty (ConfigError otherwise).
Experiment load_experiment(const std::string& config_path, const std::vector<std::string>& overrides,
                           const std::string& run_dir, int64_t* step);

// Sets LibTorch's intra-op threads; 0 = all cores. Returns the count in use.
int set_threads(int64_t threads);

}  // namespace ebm::experiments
