#include "experiments/study.h"

#include "config/schema.h"

namespace ebm::experiments {

ExperimentSource StudyContext::experiment() const {
  YAML::Emitter out;
  out << file.at("experiment");
  std::vector<std::string> overrides;
  if (threads >= 0) overrides.push_back("threads=" + std::to_string(threads));
  return {std::string(out.c_str()) + "\n", "the study's experiment", overrides};
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
