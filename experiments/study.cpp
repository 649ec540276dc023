#include "experiments/study.h"

#include "config/schema.h"

#include <algorithm>

namespace ebm::experiments {

ExperimentSource StudyContext::experiment() const {
  YAML::Emitter out;
  out << file.at("experiment");
  std::vector<std::string> overrides;
  if (threads >= 0) overrides.push_back("threads=" + std::to_string(threads));
  return {std::string(out.c_str()) + "\n", "the study's experiment", overrides};
}

namespace {

std::vector<Component<StudyType>>& registered() {
  static std::vector<Component<StudyType>> studies;
  return studies;
}

}  // namespace

StudyRegistration::StudyRegistration(Component<StudyType> study) { registered().push_back(std::move(study)); }

const Registry<StudyType>& study_registry() {
  // Registration order is link order: sort by name, so the schema and the reference do not depend on it.
  static const Registry<StudyType> registry = [] {
    auto studies = registered();
    std::sort(studies.begin(), studies.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return Registry<StudyType>("study", "log_likelihood_underflow", "the study that runs and computes the signature", studies);
  }();
  return registry;
}

std::string criterion_of(const std::vector<Check>& checks) {
  std::string words;
  for (const auto& check : checks) words += (words.empty() ? "" : "; ") + check.words;
  return words;
}

bool all_hold(const std::vector<Check>& checks) {
  return !checks.empty() && std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.holds; });
}

const Field& study_schema() {
  static const Field schema = section(
      "",
      {text("summary", required(), "one line: what the study shows"), study_registry().schema(),
       may_be_empty(list("quick", YAML::Node(YAML::NodeType::Sequence), text("override", required(), "KEY=VALUE"),
                         "overrides, as --set takes them, that make the reduced version `--quick` runs")),
       section("experiment", experiment_schema().fields, "the experiment every run of the study starts from")},
      "a study file");
  return schema;
}

}  // namespace ebm::experiments
