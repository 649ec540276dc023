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
  std::vector<std::string> overrides = {"eval." + args.metric + "=true"};
  if (args.metric == "ais") {
    overrides.push_back("eval.ais_chains=" + std::to_string(args.chains));
    overrides.push_back("eval.ais_betas=" + std::to_string(args.betas));
    overrides.push_back("eval.ais_schedule=" + args.schedule);
  }
  int64_t step = 0;
  Experiment e;
  try {
    e = load_trained_experiment(args.run_dir, &step, overrides);
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    if (message.find("eval." + args.metric) == std::string::npos) throw;
    throw ConfigError("--metric " + args.metric + ": " + message);
  }
  // Built again from the registry (factories are cheap); building the experiment checked it.
  auto evaluator = evaluator_registry().at(args.metric).make(SectionConfig(e.config, "eval"), e);
  spdlog::info("evaluating {} of '{}' at step {} on {} ({} examples)", args.metric, e.name, step,
               e.data->name(), e.data->size());
  nlohmann::ordered_json out = {{"run", args.run_dir}, {"metric", args.metric}, {"step", step}};
  out.update(evaluator->evaluate(*e.model, e.data->evaluation_split()));
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace ebm::experiments
