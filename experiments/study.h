// A study: a failure mode of the catalogue (experiments/failure_modes/NAME.yaml) or a user's
// own, run by `ebm reproduce`. A study file has four keys:
//   summary:    one line, what it shows;
//   study:      {type: NAME, ...}: which registered study computes the signature, and its keys;
//   quick:      ["KEY=VALUE", ...]: overrides (as --set) that make the reduced version --quick runs;
//   experiment: an experiment config (the keys of `ebm train`), the base of every run it makes.
// A study returns its Signature: the measured figures, the criterion in words, whether the
// failure was reproduced, one headline figure, the runs it made and its picture.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "config/registry.h"
#include "workflow/sweep.h"

namespace ebm::experiments {

struct StudyContext {
  Config file;          // the validated study file (overrides and --quick applied)
  std::string out_dir;  // where its runs and pictures go
  int64_t threads = -1; // -1: the experiment's own
  SectionConfig study() const { return SectionConfig(file, "study"); }
  // The base experiment as a source for run_sweep (the thread override applied).
  ExperimentSource experiment() const;
  std::string path(const std::string& name) const { return out_dir + "/" + name; }
};

struct Signature {
  nlohmann::ordered_json figures;  // the measured numbers
  std::string headline;            // the one figure the catalogue table shows
  std::string criterion;           // the pass/fail rule, in words
  bool reproduced = false;
  std::vector<std::string> runs;   // run directories the figures came from
  std::string picture;             // the PNG that shows the failure
};

using StudyFactory = std::function<Signature(const StudyContext&)>;
const Registry<StudyFactory>& study_registry();

// The schema of a study file.
const Field& study_schema();

}  // namespace ebm::experiments
