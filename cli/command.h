// The `ebm` subcommands: each file of cli/ adds one to the command line, with its options and
// what it runs. A command returns the exit code: 0 on success, 2 for a bad config, flag or input
// file (one message naming it), 1 when the work itself fails.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace ebm::experiments {

struct Command {
  CLI::App* app;             // the subcommand as CLI11 parses it
  std::function<int()> run;  // runs it with the parsed options
};

Command add_train(CLI::App& app);
Command add_export(CLI::App& app);
Command add_eval(CLI::App& app);
Command add_phases(CLI::App& app);
Command add_diagnose(CLI::App& app);
Command add_sample(CLI::App& app);
Command add_reproduce(CLI::App& app);
Command add_sweep(CLI::App& app);
Command add_schema(CLI::App& app);
Command add_bench(CLI::App& app);

// An integer flag bounded below (and above, when given), with a short message.
CLI::Validator integer_in(int64_t lo, int64_t hi = std::numeric_limits<int64_t>::max());

// What the measuring tools (phases, diagnose) work on and where their results go: CONFIG or
// --run, --out, --force, --set, --threads.
struct ToolSource {
  std::string config_path, run_dir, out_dir;  // CONFIG or --run; out_dir empty: a default
  std::vector<std::string> overrides;
  bool force = false;
  int64_t threads = -1;  // -1: the config's
};
void add_tool_source(CLI::App* command, ToolSource& source, const std::string& tool);

}  // namespace ebm::experiments
