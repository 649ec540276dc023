#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "config/experiment.h"
#include "workflow/trained_experiment.h"
#include "workflow/run_directory.h"
#include "reports/safetensors.h"

namespace ebm::experiments {

namespace {

struct ExportArguments {
  std::string run_dir, out_file;
  bool force = false;  // replace an existing --out (never a run's own file)
};

}  // namespace


using namespace reports;  // pictures, charts and file formats

int export_model(const ExportArguments& args) {
  namespace fs = std::filesystem;
  const std::string& out_file = args.out_file;
  if (fs::path(out_file).extension() != ".safetensors") {
    throw ConfigError("--out must name a .safetensors file, not '" + out_file + "'");
  }
  const auto parent = fs::path(out_file).parent_path();
  if (!parent.empty() && !fs::is_directory(parent)) throw ConfigError("--out: no directory '" + parent.string() + "'");
  require_new_output(out_file, args.force, "--out");
  int64_t step = 0;
  Experiment e = load_trained_experiment(args.run_dir, &step);

  NamedTensors tensors;
  // Parameters and buffers (a centred RBM's offsets, spectral normalisation's vectors), as a
  // PyTorch state_dict holds them.
  for (const auto& item : e.model->named_parameters()) tensors.emplace_back(item.key(), item.value());
  for (const auto& item : e.model->named_buffers()) tensors.emplace_back(item.key(), item.value());
  write_safetensors(out_file, tensors,
                    {{"model_type", e.model->type_name()},
                     {"run", e.name},
                     {"step", std::to_string(step)},
                     {"dim", std::to_string(e.model->dim())},
                     // The resolved config makes the file self-contained: `ebm eval --model FILE`.
                     {"config", e.config.to_yaml()}});
  spdlog::info("wrote {} tensors of '{}' at step {} to {}", tensors.size(), e.name, step, out_file);
  nlohmann::ordered_json out = {{"out", out_file}, {"model_type", e.model->type_name()}, {"step", step}};
  for (const auto& [name, tensor] : tensors) out["tensors"][name] = tensor.sizes().vec();
  std::cout << out.dump() << std::endl;
  return 0;
}

Command add_export(CLI::App& app) {
  auto args = std::make_shared<ExportArguments>();
  auto* command = app.add_subcommand("export", "write a run's parameters as safetensors");
  command->add_option("--run", args->run_dir, "run directory")->required();
  command->add_option("--out", args->out_file, "output .safetensors file (a new one)")->required();
  command->add_flag("--force", args->force, "replace an existing --out file");
  return {command, [args] { return export_model(*args); }};
}

}  // namespace ebm::experiments
