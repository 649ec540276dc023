#include "workflow/run_directory.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "config/config.h"
#include "io/atomic_file.h"
#include "io/directory_lock.h"
#include "io/remove_tree.h"

namespace ebm::experiments {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kRunFiles = {"config.yaml", "metrics.jsonl", "checkpoint.pt", "summary.json",
                                            "samples.png",  "filters.png",   "chains.png",    "run_id",
                                            "energy.pt"};
constexpr const char* kPrevious = ".previous-run";

bool is_run_file(const std::string& name) {
  return std::find(kRunFiles.begin(), kRunFiles.end(), name) != kRunFiles.end();
}

// What a run of ours may hold: its files, their temporaries, the lock and a replaced run.
bool belongs_to_run(const std::string& name) {
  if (name == io::DirectoryLock::kFileName || name == kPrevious) return true;
  const fs::path file(name);
  return is_run_file(file.extension() == ".tmp" ? file.stem().string() : name);
}

// A directory holds a run once it has a checkpoint or a summary; one stopped before its first
// checkpoint holds nothing worth keeping and may be started again.
bool holds_run(const fs::path& dir) { return fs::exists(dir / "checkpoint.pt") || fs::exists(dir / "summary.json"); }

// Written by ebm: a lock, a checkpoint, a summary or metric rows. A user's own config.yaml is not.
bool ours(const fs::path& dir) {
  return fs::exists(dir / io::DirectoryLock::kFileName) || holds_run(dir) || fs::exists(dir / "metrics.jsonl");
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void make_directory(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (fs::is_directory(dir)) return;
  std::string why = error ? error.message() : std::string("a file is in the way");
  std::error_code ignored;
  if (fs::is_symlink(dir, ignored) && !fs::exists(dir, ignored)) {
    why = "it is a symbolic link to " + fs::read_symlink(dir, ignored).string() + ", which does not exist";
  } else if (fs::exists(dir, ignored)) {
    why = "it is a file";
  } else {
    for (auto above = dir.parent_path(); !above.empty() && above != above.root_path(); above = above.parent_path()) {
      if (fs::exists(above, ignored) && !fs::is_directory(above, ignored)) {
        why = above.string() + " is a file";
        break;
      }
    }
  }
  throw ConfigError("cannot create the output directory " + dir.string() + ": " + why);
}

void remove_temporaries(const fs::path& dir) {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(dir, ignored)) {
    if (entry.path().extension() == ".tmp") fs::remove(entry.path(), ignored);
  }
}

// Deletes the run files in `dir` (a replacement that did not get far) and moves the replaced
// run back from .previous-run.
void put_back(const fs::path& dir) {
  for (const auto& name : kRunFiles) fs::remove(dir / name);
  remove_temporaries(dir);
  for (const auto& name : entries(dir / kPrevious)) fs::rename(dir / kPrevious / name, dir / name);
  fs::remove(dir / kPrevious);
}

// A .previous-run left by a process that ended while replacing a run: kept if its replacement
// never wrote a checkpoint, else deleted (that process died just after the checkpoint).
void settle_replacement(const fs::path& dir) {
  if (!fs::exists(dir / kPrevious)) return;
  if (fs::exists(dir / "checkpoint.pt")) {
    io::remove_tree((dir / kPrevious).string());
    return;
  }
  spdlog::warn("{}: restoring the run that --force was replacing (its replacement ended before its first checkpoint)",
               dir.string());
  put_back(dir);
}

}  // namespace

struct RunDirectory::Claim {
  explicit Claim(const fs::path& dir) : dir(dir), lock(dir.string()) {}
  ~Claim() {
    if (previous.empty()) return;
    try {
      put_back(dir);
      spdlog::warn("{}: the run --force was replacing is restored (the new run ended before its first checkpoint)",
                   dir.string());
    } catch (const std::exception& error) {
      spdlog::error("{}: could not restore the replaced run from {}: {}", dir.string(), previous.string(), error.what());
    }
  }
  fs::path dir;
  io::DirectoryLock lock;
  fs::path previous;  // the replaced run, until the new one has a checkpoint
};

RunDirectory::RunDirectory(std::string path, std::shared_ptr<Claim> claim)
    : path_(std::move(path)), claim_(std::move(claim)) {}

RunDirectory RunDirectory::create(const std::string& explicit_path, const std::string& name, bool replace) {
  // Claims `dir` for a new run; everything is checked under the lock, so two processes cannot
  // both take the same directory.
  auto claim_dir = [&](const fs::path& dir) {
    make_directory(dir);
    const bool was_ours = ours(dir);
    auto claim = std::make_shared<Claim>(dir);
    settle_replacement(dir);
    std::vector<std::string> foreign;
    for (const auto& entry : entries(dir)) {
      if (entry != io::DirectoryLock::kFileName && (!was_ours || !belongs_to_run(entry))) foreign.push_back(entry);
    }
    if (!foreign.empty()) {
      if (!was_ours) fs::remove(dir / io::DirectoryLock::kFileName);  // leave the user's directory as it was
      std::string shown;
      for (size_t i = 0; i < std::min<size_t>(3, foreign.size()); ++i) shown += (i ? ", " : "") + foreign[i];
      if (foreign.size() > 3) shown += ", ...";
      throw ConfigError(dir.string() + " holds files that are not a run's (" + shown +
                        "): a run needs a directory of its own; choose another --out");
    }
    if (holds_run(dir)) {
      if (!replace) {
        throw ConfigError(dir.string() + " already holds a run: resume it with --resume " + dir.string() +
                          ", or pass --force to replace it");
      }
      // Aside until the new run has its first checkpoint.
      fs::create_directory(dir / kPrevious);
      for (const auto& file : kRunFiles) {
        if (fs::exists(dir / file)) fs::rename(dir / file, dir / kPrevious / file);
      }
      claim->previous = dir / kPrevious;
    }
    for (const auto& file : kRunFiles) fs::remove(dir / file);  // a run stopped before its first checkpoint
    remove_temporaries(dir);
    std::random_device entropy;
    io::write_file_atomically((dir / "run_id").string(), fmt::format("{:08x}{:08x}\n", entropy(), entropy()));
    return RunDirectory(dir.string(), claim);
  };
  if (!explicit_path.empty()) return claim_dir(explicit_path);
  const fs::path base = fs::path("runs") / name;
  for (int i = 1;; ++i) {
    const fs::path dir = i == 1 ? base : fs::path(base.string() + "-" + std::to_string(i));
    if (fs::exists(dir) && (holds_run(dir) || (!ours(dir) && !fs::is_empty(dir)))) continue;
    try {
      return claim_dir(dir);
    } catch (const io::LockHeld&) {
      continue;  // another process is starting a run there
    }
  }
}

namespace {
void require_run(const std::string& path, const std::string& flag) {
  if (fs::is_regular_file(path)) {
    const auto parent = fs::path(path).parent_path().string();
    throw ConfigError(flag + " takes a run directory, and " + path + " is a file" +
                      (parent.empty() ? std::string() : ": " + flag + " " + parent));
  }
  if (!fs::is_directory(path)) throw ConfigError(path + ": no such run directory");
  if (!fs::exists(fs::path(path) / "config.yaml")) throw ConfigError(path + " holds no run (no config.yaml)");
}
void require_checkpoint(const RunDirectory& run) {
  if (!fs::exists(run.checkpoint_path())) {
    throw ConfigError(run.path() + " holds no checkpoint: the run stopped before its first one (see "
                      "train.checkpoint_every); start it again with: ebm train " + run.config_path() + " --out " +
                      run.path() + " --force");
  }
}
}  // namespace

RunDirectory RunDirectory::resume(const std::string& path) {
  require_run(path, "--resume");
  auto claim = std::make_shared<Claim>(path);
  settle_replacement(path);
  RunDirectory run(path, claim);
  require_checkpoint(run);
  remove_temporaries(path);
  return run;
}

RunDirectory RunDirectory::open(const std::string& path) {
  require_run(path, "--run");
  RunDirectory run(path, nullptr);
  require_checkpoint(run);
  return run;
}

std::string RunDirectory::id() const {
  std::ifstream in(file("run_id"));
  std::string id;
  std::getline(in, id);
  return id;
}

void RunDirectory::checkpoint_written() const {
  if (!claim_ || claim_->previous.empty()) return;
  io::remove_tree(claim_->previous.string());
  claim_->previous.clear();
}

OutputDirectory output_directory(const std::string& explicit_path, const std::string& default_path,
                                 const std::function<bool(const std::string&)>& occupied,
                                 const std::string& refusal, bool replace) {
  auto claim = [](const std::string& dir) {
    make_directory(dir);
    return std::make_shared<io::DirectoryLock>(dir);
  };
  if (!explicit_path.empty()) {
    if (occupied(explicit_path) && !replace) throw ConfigError(refusal);
    auto lock = claim(explicit_path);
    if (occupied(explicit_path) && !replace) throw ConfigError(refusal);  // filled before the lock was taken
    return {explicit_path, lock};
  }
  std::string dir = default_path;
  for (int i = 2;; dir = default_path + "-" + std::to_string(i++)) {
    if (occupied(dir)) continue;
    try {
      auto lock = claim(dir);
      if (!occupied(dir)) return {dir, lock};
    } catch (const io::LockHeld&) {
      // another command writes there now: take the next name
    }
  }
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

void require_new_output(const std::string& path, bool force, const std::string& flag) {
  const fs::path file(path);
  if (!fs::exists(file) && !fs::is_symlink(file)) return;
  const fs::path parent = fs::absolute(file).parent_path();
  if (belongs_to_run(file.filename().string()) && fs::exists(parent / "config.yaml") && ours(parent)) {
    throw ConfigError(flag + " " + path + " is a file of the run in " + parent.string() + ": choose another name");
  }
  if (!force) throw ConfigError(flag + " " + path + " already exists: pass --force to replace it, or choose another name");
  if (!fs::is_regular_file(file)) throw ConfigError(flag + " " + path + " is not a regular file");
}

}  // namespace ebm::experiments
