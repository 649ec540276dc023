// `ebm` started in the background, for tests that signal or kill it, and a run's metric rows
// without their timing fields (which differ between any two runs).
#pragma once

#include <unistd.h>

#include <sstream>
#include <string>

#include "test_support.h"

namespace ebm::testing {

// Starts `ebm ARGS` in the source tree, its output to `log`; returns its pid.
inline pid_t start_ebm(const std::string& args, const std::string& log = "/dev/null") {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(EBM_SOURCE_DIR) != 0) _exit(127);
    const std::string command = std::string("exec '") + EBM_BINARY + "' " + args + " >'" + log + "' 2>&1";
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

inline std::string metrics_without_timing(const std::filesystem::path& run) {
  std::istringstream in(read_text(run / "metrics.jsonl"));
  std::string out;
  for (std::string line; std::getline(in, line);) {
    auto row = nlohmann::json::parse(line);
    row.erase("steps_per_s");
    row.erase("wall_s");
    out += row.dump() + "\n";
  }
  return out;
}

}  // namespace ebm::testing
