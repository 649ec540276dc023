#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "experiments/commands.h"
#include "experiments/experiment.h"
#include "experiments/run_directory.h"
#include "experiments/study.h"
#include "experiments/system_info.h"
#include "io/atomic_file.h"
#include "io/interrupt.h"

namespace ebm::experiments {

namespace fs = std::filesystem;

std::string failure_mode_directory() {
  if (fs::is_directory("experiments/failure_modes")) return "experiments/failure_modes";
  std::error_code error;
  const auto exe = fs::read_symlink("/proc/self/exe", error);
  const auto beside = exe.parent_path().parent_path() / "experiments" / "failure_modes";
  if (!error && fs::is_directory(beside)) return beside.string();
  throw ConfigError("cannot find the catalogue experiments/failure_modes (run ebm from the project's directory)");
}

std::vector<std::string> failure_mode_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(failure_mode_directory())) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// NAME of the catalogue, or a path to a study file.
std::string study_path(const std::string& target) {
  if (target.find('/') != std::string::npos || fs::path(target).extension() == ".yaml") {
    if (!fs::exists(target)) throw ConfigError(target + ": no such study file");
    return target;
  }
  const auto names = failure_mode_names();
  if (std::find(names.begin(), names.end(), target) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw ConfigError("'" + target + "' is not a failure mode of the catalogue; they are: " + list);
  }
  return failure_mode_directory() + "/" + target + ".yaml";
}

Config load_study(const std::string& path, bool quick, const std::vector<std::string>& overrides) {
  Config config = Config::load(path, overrides, study_schema());
  if (!quick) return config;
  auto all = config.get<std::vector<std::string>>("quick");
  all.insert(all.end(), overrides.begin(), overrides.end());  // the user's word comes last
  return Config::load(path, all, study_schema());
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d", std::gmtime(&now));
  return text;
}

// Runs one study into `out_dir`; writes signature.json there and returns it.
nlohmann::ordered_json run_study(const std::string& name, const Config& file, const std::string& out_dir,
                                 bool quick, int64_t threads) {
  StudyContext context{file, out_dir, threads};
  // Studies that build their own models (no experiment) compute on the same thread count.
  set_threads(threads >= 0 ? threads : file.get<int64_t>("experiment.threads"));
  const auto& study = study_registry().at(file.get<std::string>("study.type"));
  spdlog::info("{}{}: {}", name, quick ? " (quick)" : "", file.get<std::string>("summary"));
  const auto start = std::chrono::steady_clock::now();
  Signature s = study.make(context);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::ordered_json out;
  out["name"] = name;
  out["summary"] = file.get<std::string>("summary");
  out["reproduced"] = s.reproduced;
  out["headline"] = s.headline;
  out["criterion"] = s.criterion;
  out["figures"] = s.figures;
  out["quick"] = quick;
  out["seconds"] = seconds;
  out["date"] = today();
  out["machine"] = machine_description();
  out["seed"] = file.get<int64_t>("experiment.seed");
  out["runs"] = s.runs;
  out["picture"] = s.picture;
  out["config"] = file.to_yaml();
  io::write_file_atomically(out_dir + "/signature.json", out.dump(2) + "\n");
  spdlog::info("{}: {} ({}); {} in {:.1f} s", name, s.reproduced ? "REPRODUCED" : "NOT reproduced", s.headline,
               s.criterion, seconds);
  return out;
}

bool holds_signature(const std::string& dir) { return fs::exists(fs::path(dir) / "signature.json"); }

}  // namespace

int reproduce_command(const ReproduceArguments& args) {
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
  nlohmann::ordered_json catalogue = nlohmann::ordered_json::array();
  std::string table = "| failure mode | signature | criterion | reproduced | seconds |\n| --- | --- | --- | --- | --- |\n";
  bool all_reproduced = true;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string dir = out + "/" + names[i];
    fs::create_directories(dir);
    nlohmann::ordered_json s;
    try {
      s = run_study(names[i], files[i], dir, args.quick, args.threads);
    } catch (const io::Interrupted&) {
      throw;  // Ctrl-C ends the whole catalogue, not one study
    } catch (const std::exception& error) {
      spdlog::error("{}: {}", names[i], error.what());
      s = {{"name", names[i]}, {"reproduced", false}, {"headline", std::string("error: ") + error.what()},
           {"criterion", ""}, {"seconds", 0.0}};
    }
    all_reproduced = all_reproduced && s["reproduced"].get<bool>();
    table += fmt::format("| {} | {} | {} | {} | {:.1f} |\n", names[i], s["headline"].get<std::string>(),
                         s["criterion"].get<std::string>(), s["reproduced"].get<bool>() ? "yes" : "no",
                         s["seconds"].get<double>());
    catalogue.push_back(s);
  }
  io::write_file_atomically(out + "/catalogue.json", catalogue.dump(2) + "\n");
  io::write_file_atomically(out + "/catalogue.md", table);
  std::cout << table;
  return all_reproduced ? 0 : 1;
}

int sweep_command(const SweepArguments& args) {
  SweepOptions options;
  for (const auto& v : args.vary) options.axes.push_back(parse_vary(v));
  options.metric = args.metric;
  const auto source = ExperimentSource::file(args.config_path, args.overrides);
  const std::string name = fs::path(args.config_path).stem().string();
  const auto output = output_directory(
      args.out_dir, "runs/sweep/" + name, [](const std::string& d) { return fs::exists(fs::path(d) / "sweep.jsonl"); },
      args.out_dir + " already holds a sweep: pass --force to replace it", args.force);
  options.out_dir = output.path;
  SweepResult result = run_sweep(source, options);
  std::cout << result.table << options.out_dir << "/sweep.jsonl" << std::endl;
  return 0;
}

}  // namespace ebm::experiments
