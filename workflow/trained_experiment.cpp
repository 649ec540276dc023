#include "workflow/trained_experiment.h"

#include <torch/torch.h>

#include <filesystem>
#include <map>

#include "config/schema.h"
#include "reports/safetensors.h"
#include "trainers/checkpoint.h"
#include "workflow/run_directory.h"

namespace ebm::experiments {

Experiment load_trained_experiment(const std::string& run_dir, int64_t* step,
                                   const std::vector<std::string>& overrides) {
  auto run = RunDirectory::open(run_dir);
  Config config = Config::load(run.config_path(), overrides, experiment_schema());
  const auto checkpoint = trainers::read_checkpoint_config(run.checkpoint_path());
  require_same_training_setup(config, checkpoint, false);
  Experiment e = build_experiment(config, config.get<std::string>("name"));
  *step = trainers::load_checkpoint_model(run.checkpoint_path(), *e.model);
  return e;
}

Experiment load_exported_experiment(const std::string& model_file, int64_t* step,
                                    const std::vector<std::string>& overrides) {
  std::map<std::string, std::string> metadata;
  const auto tensors = reports::read_safetensors(model_file, &metadata);
  if (metadata.count("config") == 0) {
    throw ConfigError(model_file + ": holds no config (written by an older `ebm export`: export the run again)");
  }
  Config config = Config::parse(metadata["config"], model_file + " (its config)", overrides, experiment_schema());
  Experiment e = build_experiment(config, config.get<std::string>("name"));
  std::map<std::string, torch::Tensor> by_name(tensors.begin(), tensors.end());
  torch::NoGradGuard no_grad;
  for (const auto& [old_name, name] : e.model->former_parameter_names()) {
    const auto found = by_name.find(old_name);
    if (found != by_name.end() && by_name.count(name) == 0) {
      by_name[name] = found->second;  // written before the parameter was renamed
      by_name.erase(found);
    }
  }
  auto load = [&](const std::string& name, torch::Tensor& target) {
    const auto found = by_name.find(name);
    if (found == by_name.end()) throw ConfigError(model_file + ": has no tensor '" + name + "' for its " + e.model->type_name());
    if (found->second.sizes() != target.sizes()) {
      throw ConfigError(model_file + ": tensor '" + name + "' has shape " + c10::str(found->second.sizes()) + ", the " +
                        e.model->type_name() + " needs " + c10::str(target.sizes()));
    }
    target.copy_(found->second);
    by_name.erase(found);
  };
  for (auto& item : e.model->named_parameters()) load(item.key(), item.value());
  for (auto& item : e.model->named_buffers()) load(item.key(), item.value());
  if (!by_name.empty()) throw ConfigError(model_file + ": tensor '" + by_name.begin()->first + "' is not part of its " + e.model->type_name());
  try {
    *step = metadata.count("step") ? std::stoll(metadata["step"]) : 0;
  } catch (const std::exception&) {
    throw ConfigError(model_file + ": its step '" + metadata["step"] + "' is not a number");
  }
  return e;
}

Experiment load_experiment(const std::string& config_path, const std::vector<std::string>& overrides,
                           const std::string& run_dir, int64_t* step) {
  if (config_path.empty() == run_dir.empty()) throw ConfigError("give a CONFIG file or --run DIR (one of them)");
  if (!run_dir.empty()) return load_trained_experiment(run_dir, step, overrides);
  *step = 0;
  Config config = Config::load(config_path, overrides, experiment_schema());
  return build_experiment(config, std::filesystem::path(config_path).stem().string());
}

}  // namespace ebm::experiments
