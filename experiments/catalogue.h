// The failure-mode catalogue (experiments/failure_modes/NAME.yaml, docs/FAILURE_MODES.md): its
// study files, and running a study into a directory: its runs, its picture and signature.json
// (the figures, the criterion, whether the failure was reproduced).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "config/config.h"

namespace ebm::experiments {

// The catalogue's directory (experiments/failure_modes, found from the working directory or
// in the source tree the program was built from) and its failure modes' names, sorted.
std::string failure_mode_directory();
std::vector<std::string> failure_mode_names();

// The study file of a failure mode NAME, or `target` itself when it is a path to a study file;
// ConfigError naming the catalogue's failure modes otherwise.
std::string study_path(const std::string& target);

// A study file with `overrides` applied; with `quick`, its own quick overrides first.
Config load_study(const std::string& path, bool quick, const std::vector<std::string>& overrides);

// Runs one study into `out_dir` (threads -1: each experiment's own); writes signature.json there
// and returns it.
nlohmann::ordered_json run_study(const std::string& name, const Config& file, const std::string& out_dir,
                                 bool quick, int64_t threads);

// Runs the studies `files` (named `names`) into OUT/NAME each, a study's error recorded as not
// reproduced; writes OUT/catalogue.json and catalogue.md and returns the table (Markdown).
std::string run_catalogue(const std::vector<std::string>& names, const std::vector<Config>& files, const std::string& out,
                          bool quick, int64_t threads, bool* all_reproduced);

// The record of a study that ended in an error (reproduced: false, the error as its headline).
nlohmann::ordered_json failed_study(const std::string& name, const std::string& error);
// Writes OUT/catalogue.json and catalogue.md from the studies' signatures, in their order, and
// returns the table; `all_reproduced` says whether every one was.
std::string write_catalogue(const std::vector<nlohmann::ordered_json>& signatures, const std::string& out, bool* all_reproduced);

}  // namespace ebm::experiments
