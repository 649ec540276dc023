// A run directory: config.yaml (the resolved config), metrics.jsonl (one JSON object per
// logged step), checkpoint.pt (the latest checkpoint) and summary.json. Whole files are
// replaced atomically (write, then rename), so an interrupted run never leaves a torn file.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace ebm::experiments {

class RunDirectory {
 public:
  explicit RunDirectory(std::string path) : path_(std::move(path)) {}

  // A fresh directory for a new run. An explicit directory that already holds a run is
  // refused (ConfigError) unless `replace`; the default runs/<name> becomes runs/<name>-2, -3, ... instead.
  static RunDirectory create(const std::string& explicit_path, const std::string& name, bool replace);
  // An existing run to resume; throws ConfigError when it holds no checkpoint (a run stopped
// before its first one). Leftover temporaries of an interrupted write are removed.
  static RunDirectory open(const std::string& path);

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string config_path() const { return file("config.yaml"); }
  std::string checkpoint_path() const { return file("checkpoint.pt"); }

  void write_config(const std::string& yaml) const;
  void append_metrics(const nlohmann::ordered_json& row) const;
  // Drops metric rows logged after `step` (those a resumed run will log again).
  void truncate_metrics_after(int64_t step) const;
  void write_summary(const nlohmann::ordered_json& summary) const;

 private:
  std::string path_;
};

// A directory for outputs that must not overwrite earlier ones. An `explicit_path` that is
// `occupied` is refused (ConfigError saying `refusal`) unless `replace`; without one,
// `default_path` moves on to default_path-2, -3, ... while occupied. The directory is created.
std::string output_directory(const std::string& explicit_path, const std::string& default_path,
                             const std::function<bool(const std::string&)>& occupied,
                             const std::string& refusal, bool replace);

// Refuses (ConfigError) a run name that is not a plain name: letters, digits, '.', '-', '_',
// not starting with '.', so that a run always lands inside runs/.
void require_plain_name(const std::string& name);

}  // namespace ebm::experiments
