#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "config/components.h"
#include "config/experiment.h"
#include "workflow/trained_experiment.h"
#include "workflow/generation.h"
#include "workflow/run_directory.h"

namespace ebm::experiments {

namespace {

// `ebm sample`: n samples of a trained run's model from its sampler (or another), as CSV with a
// picture beside it.
struct SampleArguments {
  std::string run_dir, out_file, sampler;  // sampler empty: the run's own
  std::vector<std::string> overrides;
  int64_t n = 1000, steps = 1000;
  bool force = false;  // replace an existing CSV and picture (never a run's own file)
};

}  // namespace


int sample(const SampleArguments& args) {
  namespace fs = std::filesystem;
  if (fs::path(args.out_file).extension() != ".csv") throw ConfigError("--out must name a .csv file, not '" + args.out_file + "'");
  const auto parent = fs::path(args.out_file).parent_path();
  if (!parent.empty() && !fs::is_directory(parent)) throw ConfigError("--out: no directory '" + parent.string() + "'");
  const auto picture = fs::path(args.out_file).replace_extension(".png").string();
  require_new_output(args.out_file, args.force, "--out");
  require_new_output(picture, args.force, "--out's picture");
  // The type first: a new type restarts the section, and the --set values refine it.
  std::vector<std::string> overrides;
  if (!args.sampler.empty()) overrides.push_back("--sampler sampler.type=" + args.sampler);  // messages name --sampler
  overrides.insert(overrides.end(), args.overrides.begin(), args.overrides.end());
  int64_t step = 0;
  Experiment e = load_trained_experiment(args.run_dir, &step, overrides);
  std::string note;
  e.sampler = drawing_sampler(e, args.sampler, "--sampler", &note);
  if (!note.empty()) spdlog::info("{}", note);
  torch::NoGradGuard no_grad;
  e.model->eval();
  spdlog::info("sampling {} chains of '{}' (step {}) for {} {} transitions from noise", args.n, e.name, step, args.steps,
               e.sampler->name());
  auto samples = generate_samples(e, *e.sampler, args.n, args.steps);
  write_samples_csv(args.out_file, samples);
  const auto title = fmt::format("{} step {}: {} samples, {} x{}", e.name, step, args.n, e.sampler->name(), args.steps);
  const bool drew = write_sample_picture(e, samples, picture, title);
  nlohmann::ordered_json out = {{"run", args.run_dir}, {"samples", args.out_file}, {"n", args.n},
                                {"sampler", e.sampler->name()}, {"steps", args.steps}};
  if (drew) out["picture"] = picture;
  for (const auto& [name, value] : samplers::host_statistics(*e.sampler)) out[name] = value;
  std::cout << out.dump() << std::endl;
  return 0;
}

Command add_sample(CLI::App& app) {
  auto args = std::make_shared<SampleArguments>();
  auto* command = app.add_subcommand("sample", "draw samples from a trained run: a CSV and a picture beside it");
  command->add_option("--run", args->run_dir, "run directory")->required();
  command->add_option("--out", args->out_file, "output .csv, a new one (the picture goes beside it as .png)")->required();
  command->add_flag("--force", args->force, "replace an existing CSV and picture");
  command->add_option("--n", args->n, "samples (independent chains)")->check(integer_in(1, 100000000));
  command->add_option("--steps", args->steps, "sampler transitions from noise")->check(integer_in(1));
  command->add_option("--sampler", args->sampler, "another sampler type (its settings from --set sampler.KEY=VALUE)")
      ->check(CLI::IsMember(sampler_registry().names()));
  command->add_option("--set", args->overrides, "override a config key, e.g. sampler.step_size=0.005 (repeatable)")
      ->allow_extra_args(false);
  return {command, [args] { return sample(*args); }};
}

}  // namespace ebm::experiments
