// The experiments the tools work on: a run directory's trained model (its last checkpoint), a
// file `ebm export` wrote, or a config's freshly initialised model.
#pragma once

#include <string>
#include <vector>

#include "config/experiment.h"

namespace ebm::experiments {

// The experiment of a run directory with the model of its last checkpoint loaded; `step`
// receives the checkpoint's step. `overrides` change the run's config for this use only (the
// sampler a tool runs, say); an override of a key the checkpoint depends on (the model, the
// data, dtype, the objective and optimiser types) is refused. Throws ConfigError when DIR holds
// no run or its checkpoint does not fit its config.
Experiment load_trained_experiment(const std::string& run_dir, int64_t* step,
                                   const std::vector<std::string>& overrides = {});

// The experiment of a file `ebm export` wrote (its config travels in the metadata), with the
// file's parameters and buffers loaded; `step` receives the exported step. Throws ConfigError
// naming the file when it has no config or its tensors do not fit the model the config builds.
Experiment load_exported_experiment(const std::string& model_file, int64_t* step,
                                    const std::vector<std::string>& overrides = {});

// The experiment a tool works on: the trained model of `run_dir` when it is given (`step` its
// checkpoint's step), else the freshly initialised one of `config_path` (`step` 0), either
// with `overrides`. Exactly one of the two must be non-empty (ConfigError otherwise).
Experiment load_experiment(const std::string& config_path, const std::vector<std::string>& overrides,
                           const std::string& run_dir, int64_t* step);

}  // namespace ebm::experiments
