// A run directory: config.yaml (the resolved config), metrics.jsonl (one JSON object per
// logged step), checkpoint.pt (the latest checkpoint), summary.json, pictures, and energy.pt
// (the run's copy of a TorchScript energy). Whole files are
// replaced atomically (write, then rename), so an interrupted run never leaves a torn file.
//
// One writer at a time: a process that trains into a run holds its lock (io/directory_lock.h)
// for as long as it holds the RunDirectory. A run replaced with --force is first moved aside into
// .previous-run/ and deleted only once the new run has written its first checkpoint; a new run
// that fails before then puts it back (and so does the next command, if the process was killed).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "io/directory_lock.h"

namespace ebm::experiments {

class RunDirectory {
 public:
  // A fresh directory for a new run, locked. An explicit directory is refused (ConfigError) when
  // it holds files that are not a run's, or a run unless `replace`; the default runs/<name>
  // becomes runs/<name>-2, -3, ... instead.
  static RunDirectory create(const std::string& explicit_path, const std::string& name, bool replace);
  // An existing run to train further, locked; throws ConfigError when it holds no checkpoint (a
  // run stopped before its first one). Leftover temporaries of an interrupted write are removed.
  static RunDirectory resume(const std::string& path);
  // An existing run to read (export, sample, eval): no lock, nothing changed.
  static RunDirectory open(const std::string& path);

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string config_path() const { return file("config.yaml"); }
  std::string checkpoint_path() const { return file("checkpoint.pt"); }
  // A random identity written when the run is created (the file run_id), so that a checkpoint
  // copied in from another run is told apart; "" for runs older than it.
  std::string id() const;

  void write_config(const std::string& yaml) const;
  void append_metrics(const nlohmann::ordered_json& row) const;
  // Drops metric rows logged after `step` (those a resumed run will log again).
  void truncate_metrics_after(int64_t step) const;
  void write_summary(const nlohmann::ordered_json& summary) const;
  // The new run has a checkpoint on disk: the run it replaces (--force) is deleted.
  void checkpoint_written() const;

 private:
  struct Claim;  // the lock, and the replaced run until the first checkpoint
  RunDirectory(std::string path, std::shared_ptr<Claim> claim);
  std::string path_;
  std::shared_ptr<Claim> claim_;
};

// An output file a command is about to write: refused (ConfigError naming `flag`) when it
// exists, unless `force`; a run's own file (config.yaml, checkpoint.pt, samples.png, ... inside a
// run directory) even then.
void require_new_output(const std::string& path, bool force, const std::string& flag);

// A tool's output directory, locked against other writers while the object lives.
struct OutputDirectory {
  std::string path;
  std::shared_ptr<io::DirectoryLock> lock;
};

// A directory for outputs that must not overwrite earlier ones. An `explicit_path` that is
// `occupied` is refused (ConfigError saying `refusal`) unless `replace`, and one that another
// command is writing into is refused (io::LockHeld naming its process); without one,
// `default_path` moves on to default_path-2, -3, ... past occupied and locked directories. The
// directory is created and locked.
OutputDirectory output_directory(const std::string& explicit_path, const std::string& default_path,
                                 const std::function<bool(const std::string&)>& occupied,
                                 const std::string& refusal, bool replace);

}  // namespace ebm::experiments
