#include "experiments/run_directory.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "experiments/config.h"

namespace ebm::experiments {

namespace fs = std::filesystem;

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary);
  }
  fs::rename(temporary, path);
}

namespace {
bool holds_run(const fs::path& dir) {
  return fs::exists(dir / "config.yaml") || fs::exists(dir / "checkpoint.pt") ||
         fs::exists(dir / "metrics.jsonl");
}
}  // namespace

std::string output_directory(const std::string& explicit_path, const std::string& default_path,
                             const std::function<bool(const std::string&)>& occupied,
                             const std::string& refusal, bool replace) {
  std::string dir = explicit_path;
  if (!dir.empty()) {
    if (occupied(dir) && !replace) throw ConfigError(refusal);
  } else {
    dir = default_path;
    for (int i = 2; occupied(dir); ++i) dir = default_path + "-" + std::to_string(i);
  }
  fs::create_directories(dir);
  return dir;
}

RunDirectory RunDirectory::create(const std::string& explicit_path, const std::string& name,
                                  bool replace) {
  const fs::path dir = output_directory(
      explicit_path, (fs::path("runs") / name).string(), [](const std::string& d) { return holds_run(d); },
      explicit_path + " already holds a run: resume it with --resume " + explicit_path +
          ", or pass --force to replace it",
      replace);
  for (const char* stale : {"metrics.jsonl", "checkpoint.pt", "summary.json"}) fs::remove(dir / stale);
  return RunDirectory(dir.string());
}

RunDirectory RunDirectory::open(const std::string& path) {
  RunDirectory run(path);
  if (!fs::exists(run.checkpoint_path()) || !fs::exists(run.config_path())) {
    throw ConfigError(path + " holds no run (config.yaml and checkpoint.pt expected)");
  }
  return run;
}

void RunDirectory::write_config(const std::string& yaml) const { write_file_atomically(config_path(), yaml); }

void RunDirectory::append_metrics(const nlohmann::ordered_json& row) const {
  std::ofstream out(file("metrics.jsonl"), std::ios::app);
  out << row.dump() << "\n";
  if (!out.flush()) throw std::runtime_error("cannot append to " + file("metrics.jsonl"));
}

void RunDirectory::truncate_metrics_after(int64_t step) const {
  std::ifstream in(file("metrics.jsonl"));
  std::ostringstream kept;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_discarded() && row.value("step", int64_t{0}) <= step) kept << line << "\n";
  }
  write_file_atomically(file("metrics.jsonl"), kept.str());
}

void RunDirectory::write_summary(const nlohmann::ordered_json& summary) const {
  write_file_atomically(file("summary.json"), summary.dump(2) + "\n");
}

}  // namespace ebm::experiments
