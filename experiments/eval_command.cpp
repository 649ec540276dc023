#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <iostream>

#include "experiments/commands.h"
#include "experiments/config.h"
#include "experiments/experiment.h"
#include "experiments/components.h"

namespace ebm::experiments {

int eval_command(const EvalArguments& args) {
  // The flags are overrides of the evaluator's own keys, so `ebm eval` and eval.NAME in a
  // config build the evaluator the same way.
  std::vector<std::string> overrides;
  if (args.metric == "ais") {
    overrides.push_back("eval.ais_chains=" + std::to_string(args.chains));
    overrides.push_back("eval.ais_betas=" + std::to_string(args.betas));
    overrides.push_back("eval.ais_schedule=" + args.schedule);
    overrides.push_back("eval.ais_burn_in=" + std::to_string(args.burn_in));
  }
  int64_t step = 0;
  Experiment e = load_trained_experiment(args.run_dir, &step, overrides);
  const auto& component = evaluator_registry().at(args.metric);
  std::shared_ptr<trainers::Evaluator> evaluator;
  try {
    require_accepted(component.accepts, *e.model, args.metric, e.truth != nullptr);
    evaluator = component.make(SectionConfig(e.config, "eval"), e);
    evaluator->check_model(*e.model);
  } catch (const std::invalid_argument& error) {
    throw ConfigError("--metric " + args.metric + ": " + error.what());
  }
  spdlog::info("evaluating {} of '{}' at step {} on {} ({} examples)", args.metric, e.name, step,
               e.data->name(), e.data->size());
  nlohmann::ordered_json out = {{"run", args.run_dir}, {"metric", args.metric}, {"step", step}};
  if (args.metric == "ais") {
    out["settings"] = {{"chains", args.chains}, {"betas", args.betas}, {"schedule", args.schedule}, {"burn_in", args.burn_in}};
  }
  out.update(evaluator->evaluate(*e.model, e.data->evaluation_split()));
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace ebm::experiments
