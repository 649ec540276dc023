#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/launch.h"
#include "experiments/catalogue.h"
#include "experiments/study.h"
#include "workflow/run_directory.h"

namespace ebm::experiments {

namespace {

namespace fs = std::filesystem;

// `ebm reproduce`: runs a failure mode of the catalogue (experiments/failure_modes/NAME.yaml) or
// a study file, writes signature.json, its picture and its runs; exit 0 when reproduced, 1 when
// not (docs/FAILURE_MODES.md).
struct ReproduceArguments {
  std::string target, out_dir;  // NAME or a study file
  bool quick = false, list = false, all = false, force = false;
  std::vector<std::string> overrides;
  int64_t threads = -1;  // -1: each experiment's own
  int jobs = 1;          // studies of --all run side by side, each in a process of its own
};

// --all --jobs N: each study as `ebm reproduce NAME --out OUT/NAME` in a process of its own, N at
// a time, its log in OUT/NAME.log; the table from their signature.json files.
std::string run_catalogue_in_processes(const ReproduceArguments& args, const std::vector<std::string>& names,
                                       const std::string& out, bool* all_reproduced) {
  std::vector<std::vector<std::string>> commands;
  std::vector<std::string> logs;
  for (const auto& name : names) {
    std::vector<std::string> command = {"reproduce", name, "--out", out + "/" + name, "--force"};
    if (args.quick) command.push_back("--quick");
    for (const auto& o : args.overrides) command.insert(command.end(), {"--set", o});
    if (args.threads >= 0) command.insert(command.end(), {"--threads", std::to_string(args.threads)});
    commands.push_back(command);
    logs.push_back(out + "/" + name + ".log");
  }
  size_t done = 0;
  const auto statuses = run_side_by_side(commands, logs, args.jobs, [&](size_t i, int status) {
    spdlog::info("[{}/{}] {}: {}", ++done, names.size(), names[i],
                 status == 0 ? "reproduced" : status == 1 ? "not reproduced" : "failed (exit " + std::to_string(status) + ")");
  });
  std::vector<nlohmann::ordered_json> signatures;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto file = fs::path(out) / names[i] / "signature.json";
    if (statuses[i] <= 1 && fs::exists(file)) {
      std::ifstream in(file);
      signatures.push_back(nlohmann::ordered_json::parse(in));
    } else {
      signatures.push_back(failed_study(names[i], "exit " + std::to_string(statuses[i]) + ", see " + logs[i]));
    }
  }
  return write_catalogue(signatures, out, all_reproduced);
}

bool holds_signature(const std::string& dir) { return fs::exists(fs::path(dir) / "signature.json"); }

int reproduce(const ReproduceArguments& args) {
  if (args.list) {
    for (const auto& name : failure_mode_names()) {
      Config file = Config::load(study_path(name), {}, study_schema());
      std::cout << fmt::format("{:<32} {}\n", name, file.get<std::string>("summary"));
    }
    return 0;
  }
  const std::string suffix = args.quick ? "-quick" : "";
  if (!args.all) {
    const std::string path = study_path(args.target);
    const std::string name = fs::path(path).stem().string();
    Config file = load_study(path, args.quick, args.overrides);
    const auto output = output_directory(
        args.out_dir, "runs/reproduce/" + name + suffix, holds_signature,
        args.out_dir + " already holds a study's results: pass --force to replace them", args.force);
    const std::string& out = output.path;
    auto signature = run_study(name, file, out, args.quick, args.threads);
    std::cout << signature["headline"].get<std::string>() << "\n" << out << "/signature.json" << std::endl;
    return signature["reproduced"].get<bool>() ? 0 : 1;
  }
  const auto names = failure_mode_names();
  std::vector<Config> files;
  for (const auto& name : names) files.push_back(load_study(study_path(name), args.quick, args.overrides));
  const auto output = output_directory(
      args.out_dir, "runs/reproduce/catalogue" + suffix, [](const std::string& d) { return fs::exists(fs::path(d) / "catalogue.json"); },
      args.out_dir + " already holds a catalogue: pass --force to replace it", args.force);
  const std::string& out = output.path;
  bool all_reproduced = true;
  const std::string table = args.jobs > 1 ? run_catalogue_in_processes(args, names, out, &all_reproduced)
                                          : run_catalogue(names, files, out, args.quick, args.threads, &all_reproduced);
  std::cout << table;
  return all_reproduced ? 0 : 1;
}

}  // namespace

Command add_reproduce(CLI::App& app) {
  auto args = std::make_shared<ReproduceArguments>();
  auto* command = app.add_subcommand(
      "reproduce", "reproduce a failure mode of the catalogue: its runs, signature.json and picture; exit 1 if not reproduced");
  command->add_option("name", args->target, "a failure mode (see --list) or a study file (YAML)");
  command->add_flag("--list", args->list, "list the catalogue, one line each");
  command->add_flag("--all", args->all, "run the whole catalogue and print its table");
  command->add_flag("--quick", args->quick, "the reduced version (seconds; what the tests run)");
  command->add_option("--out", args->out_dir, "output directory (default runs/reproduce/NAME)");
  command->add_flag("--force", args->force, "replace the results already in --out");
  command->add_option("--set", args->overrides,
                      "override a study key: --set study.ks=[1,10] or experiment.train.steps=500 (repeatable)")
      ->allow_extra_args(false);
  command->add_option("--threads", args->threads, "CPU threads of every run (default each experiment's; 0 = all cores)")
      ->check(integer_in(0));
  command->add_option("--jobs", args->jobs, "with --all: run N studies side by side, each in a process of its own")
      ->check(CLI::Range(1, 1024));
  return {command, [args] {
            if (args->jobs > 1 && !args->all) throw ConfigError("--jobs runs the studies of --all side by side; give --all");
            const int given = args->list + args->all + !args->target.empty();
            if (given == 0) throw ConfigError("reproduce needs one of: a NAME (or study file), --list, --all");
            if (given > 1) throw ConfigError("reproduce takes only one of: a NAME (or study file), --list, --all");
            return reproduce(*args);
          }};
}

}  // namespace ebm::experiments
