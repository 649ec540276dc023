// A study: a failure mode of the catalogue (experiments/failure_modes/NAME.yaml) or a user's
// own, run by `ebm reproduce`. A study file has four keys:
//   summary:    one line, what it shows;
//   study:      {type: NAME, ...}: which registered study computes the signature, and its keys;
//   quick:      ["KEY=VALUE", ...]: overrides (as --set) that make the reduced version --quick runs;
//   experiment: an experiment config (the keys of `ebm train`), the base of every run it makes.
// A study type (experiments/failure_modes/NAME.cpp, beside the catalogue's NAME.yaml) measures a
// Signature and judges it: the criterion's clauses, read off the figures.
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

// What a study measured: every figure its verdict needs, one headline, the runs the figures
// came from and the picture that shows the failure.
struct Signature {
  nlohmann::ordered_json figures;
  std::string headline;            // the one figure the catalogue table shows
  std::vector<std::string> runs;   // run directories the figures came from
  std::string picture;             // the PNG that shows the failure
};

// One clause of a study's criterion, as measured: its words and whether it holds.
struct Check {
  std::string words;
  bool holds = false;
};

// A study type. `measure` runs the study; `judge` reads the criterion's clauses off the figures
// (as signature.json holds them) and the study's keys alone, so the verdict (reproduced: every
// clause holds) can be computed again from a signature, by the catalogue's test or anyone. The
// judge gets its own copy of the figures: one missing from it reads as null, and its clause fails.
struct StudyType {
  std::function<Signature(const StudyContext&)> measure;
  std::function<std::vector<Check>(nlohmann::json figures, const SectionConfig& keys)> judge;
};

// A study type registers itself in its own file, at static initialisation:
//   const StudyRegistration registration({"NAME", "what it shows", {keys...}, {}, {measure, judge}});
class StudyRegistration {
 public:
  explicit StudyRegistration(Component<StudyType> study);
};
const Registry<StudyType>& study_registry();

// The criterion in words (the clauses joined) and whether every clause holds.
std::string criterion_of(const std::vector<Check>& checks);
bool all_hold(const std::vector<Check>& checks);

// The schema of a study file.
const Field& study_schema();

}  // namespace ebm::experiments
