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

RunDirectory RunDirectory::create(const std::string& explicit_path, const std::string& name,
                                  bool replace) {
  fs::path dir;
  if (!explicit_path.empty()) {
    dir = explicit_path;
    if (holds_run(dir) && !replace) {
      throw ConfigError(dir.string() + " already holds a run: resume it with --resume " +
                               dir.string() + ", or pass --force to replace it");
    }
  } else {
    dir = fs::path("runs") / name;
    for (int i = 2; holds_run(dir); ++i) dir = fs::path("runs") / (name + "-" + std::to_string(i));
  }
  fs::create_directories(dir);
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
