#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <iostream>

#include "experiments/commands.h"
#include "experiments/config.h"
#include "experiments/experiment.h"
#include "trainers/exact_log_likelihood.h"
#include "trainers/rbm_metrics.h"

namespace ebm::experiments {

int eval_command(const EvalArguments& args) {
  int64_t step = 0;
  Experiment e = load_trained_experiment(args.run_dir, &step);
  std::shared_ptr<trainers::Evaluator> evaluator;
  if (args.metric == "ais") {
    evaluator = std::make_shared<trainers::AISLogLikelihood>(
        samplers::AISOptions().chains(args.chains).betas(args.betas).schedule(args.schedule));
  } else if (args.metric == "exact") {
    evaluator = std::make_shared<trainers::ExactLogLikelihood>();
  } else if (args.metric == "pl") {
    evaluator = std::make_shared<trainers::PseudoLikelihood>();
  } else {
    evaluator = std::make_shared<trainers::Reconstruction>();
  }
  try {
    evaluator->check_model(*e.model);
  } catch (const std::invalid_argument& error) {
    throw ConfigError("--metric " + args.metric + ": " + error.what());
  }
  spdlog::info("evaluating {} of '{}' at step {} on {} ({} examples)", args.metric, e.name, step,
               e.data->name(), e.data->size());
  nlohmann::ordered_json out = {{"run", args.run_dir}, {"metric", args.metric}, {"step", step}};
  out.update(evaluator->evaluate(*e.model, e.data->evaluation_split()));
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace ebm::experiments
