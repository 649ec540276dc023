#include "experiments/run_directory.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "experiments/config.h"
#include "io/atomic_file.h"

namespace ebm::experiments {

namespace fs = std::filesystem;

void require_plain_name(const std::string& name) {
  const bool plain = !name.empty() && name.size() <= 200 && name[0] != '.' &&
                     std::all_of(name.begin(), name.end(), [](unsigned char ch) {
                       return std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_';
                     });
  if (!plain) {
    throw ConfigError("'" + name + "' is not a run name: use letters, digits, '.', '-' and '_' (not a path; "
                      "--out chooses the directory)");
  }
}

namespace {
// A directory holds a run once it has a checkpoint or a summary; one stopped before its first
// checkpoint holds nothing worth keeping and may be started again.
bool holds_run(const fs::path& dir) { return fs::exists(dir / "checkpoint.pt") || fs::exists(dir / "summary.json"); }

void remove_temporaries(const fs::path& dir) {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(dir, ignored)) {
    if (entry.path().extension() == ".tmp") fs::remove(entry.path(), ignored);
  }
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
  for (const char* stale : {"metrics.jsonl", "checkpoint.pt", "summary.json", "samples.png"}) fs::remove(dir / stale);
  remove_temporaries(dir);
  return RunDirectory(dir.string());
}

RunDirectory RunDirectory::open(const std::string& path) {
  RunDirectory run(path);
  if (!fs::is_directory(path)) throw ConfigError(path + ": no such run directory");
  if (!fs::exists(run.config_path())) throw ConfigError(path + " holds no run (no config.yaml)");
  if (!fs::exists(run.checkpoint_path())) {
    throw ConfigError(path + " holds no checkpoint: the run stopped before its first one (see train.checkpoint_every); "
                             "start it again with: ebm train " + run.config_path() + " --out " + path);
  }
  remove_temporaries(path);
  return run;
}

void RunDirectory::write_config(const std::string& yaml) const { io::write_file_atomically(config_path(), yaml); }

void RunDirectory::append_metrics(const nlohmann::ordered_json& row) const {
  io::append_line(file("metrics.jsonl"), row.dump());
}

void RunDirectory::truncate_metrics_after(int64_t step) const {
  std::ifstream in(file("metrics.jsonl"));
  std::ostringstream kept;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    // A torn or foreign line is dropped with the rows after the checkpoint.
    if (!row.is_discarded() && row.is_object() && row.contains("step") && row["step"].is_number_integer() &&
        row["step"].get<int64_t>() <= step) {
      kept << line << "\n";
    }
  }
  io::write_file_atomically(file("metrics.jsonl"), kept.str());
}

void RunDirectory::write_summary(const nlohmann::ordered_json& summary) const {
  io::write_file_atomically(file("summary.json"), summary.dump(2) + "\n");
}

}  // namespace ebm::experiments
