#include "experiments/catalogue.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "config/experiment.h"
#include "experiments/study.h"
#include "io/atomic_file.h"
#include "io/interrupt.h"
#include "workflow/system_info.h"

namespace ebm::experiments {

namespace fs = std::filesystem;

std::string failure_mode_directory() {
  if (fs::is_directory("experiments/failure_modes")) return "experiments/failure_modes";
  if (fs::is_directory(EBM_CATALOGUE_DIR)) return EBM_CATALOGUE_DIR;  // the source tree it was built from
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

namespace {

std::string today() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d", std::gmtime(&now));
  return text;
}

}  // namespace

nlohmann::ordered_json run_study(const std::string& name, const Config& file, const std::string& out_dir,
                                 bool quick, int64_t threads) {
  StudyContext context{file, out_dir, threads};
  // Studies that build their own models (no experiment) compute on the same thread count.
  set_threads(threads >= 0 ? threads : file.get<int64_t>("experiment.threads"));
  const auto& study = study_registry().at(file.get<std::string>("study.type"));
  spdlog::info("{}{}: {}", name, quick ? " (quick)" : "", file.get<std::string>("summary"));
  const auto start = std::chrono::steady_clock::now();
  Signature s = study.make.measure(context);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The verdict is read off the figures as signature.json will hold them.
  const auto checks = study.make.judge(nlohmann::json::parse(s.figures.dump()), context.study());
  const bool reproduced = all_hold(checks);
  const std::string criterion = criterion_of(checks);
  nlohmann::ordered_json out;
  out["name"] = name;
  out["summary"] = file.get<std::string>("summary");
  out["reproduced"] = reproduced;
  out["headline"] = s.headline;
  out["criterion"] = criterion;
  out["checks"] = nlohmann::ordered_json::array();
  for (const auto& check : checks) out["checks"].push_back({{"words", check.words}, {"holds", check.holds}});
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
  spdlog::info("{}: {} ({}); {} in {:.1f} s", name, reproduced ? "REPRODUCED" : "NOT reproduced", s.headline, criterion,
               seconds);
  return out;
}

std::string run_catalogue(const std::vector<std::string>& names, const std::vector<Config>& files, const std::string& out,
                          bool quick, int64_t threads, bool* all_reproduced) {
  std::vector<nlohmann::ordered_json> signatures;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string dir = out + "/" + names[i];
    fs::create_directories(dir);
    try {
      signatures.push_back(run_study(names[i], files[i], dir, quick, threads));
    } catch (const io::Interrupted&) {
      throw;  // Ctrl-C ends the whole catalogue, not one study
    } catch (const std::exception& error) {
      spdlog::error("{}: {}", names[i], error.what());
      signatures.push_back(failed_study(names[i], error.what()));
    }
  }
  return write_catalogue(signatures, out, all_reproduced);
}

nlohmann::ordered_json failed_study(const std::string& name, const std::string& error) {
  return {{"name", name}, {"reproduced", false}, {"headline", "error: " + error}, {"criterion", ""}, {"seconds", 0.0}};
}

std::string write_catalogue(const std::vector<nlohmann::ordered_json>& signatures, const std::string& out, bool* all_reproduced) {
  nlohmann::ordered_json catalogue = nlohmann::ordered_json::array();
  std::string table = "| failure mode | signature | criterion | reproduced | seconds |\n| --- | --- | --- | --- | --- |\n";
  *all_reproduced = true;
  for (const auto& s : signatures) {
    *all_reproduced = *all_reproduced && s["reproduced"].get<bool>();
    table += fmt::format("| {} | {} | {} | {} | {:.1f} |\n", s["name"].get<std::string>(), s["headline"].get<std::string>(),
                         s["criterion"].get<std::string>(), s["reproduced"].get<bool>() ? "yes" : "no",
                         s["seconds"].get<double>());
    catalogue.push_back(s);
  }
  io::write_file_atomically(out + "/catalogue.json", catalogue.dump(2) + "\n");
  io::write_file_atomically(out + "/catalogue.md", table);
  return table;
}

}  // namespace ebm::experiments
