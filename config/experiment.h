// An experiment assembled from a validated config through the registry (config/components.h).
// Every compatibility check runs before any work: a model that cannot fit the data, a sampler
// that cannot run on the model (when the objective uses one), an objective or evaluator that
// cannot handle it. Building seeds the generators and sets the thread count first, so the same
// config gives the same run.
#pragma once

#include <memory>
#include <vector>

#include "datasets/dataset.h"
#include "ebm/gaussian.h"
#include "ebm/grid_quadrature.h"
#include "config/config.h"
#include "samplers/sampler.h"
#include "trainers/evaluator.h"
#include "trainers/objective.h"
#include "trainers/trainer.h"

namespace ebm::experiments {

struct Experiment {
  Config config;
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

// Refuses (ConfigError at the key) a config whose model, data or dtype differ from those a
// run's checkpoint was trained with (`trained`, the resolved YAML stored in it); to resume
// training (`resuming`), also another objective, chain source, sampler or optimiser type.
void require_same_training_setup(const Config& config, const std::string& trained, bool resuming);

// The experiment's own sampler when it can run on the model, else the first registered one that
// can, with its defaults; `note` says which and why.
std::shared_ptr<samplers::Sampler> sampler_for_pictures(const Experiment& e, std::string* note);

// Sets LibTorch's intra-op threads; 0 = all cores. Returns the count in use.
int set_threads(int64_t threads);

// Call inside a catch block: a failed allocation in the exception being handled is rethrown as
// io::OutOfMemory saying `during` what ("building the model") and naming the largest integer
// keys among `paths` (keys, or sections for all their keys) with where each was set ("model.width
// = 100000 (--set model.width=100000)"); any other exception is rethrown as it is.
[[noreturn]] void rethrow_naming_sizes(const Config& config, const std::string& during, const std::vector<std::string>& paths);

}  // namespace ebm::experiments
