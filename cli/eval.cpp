#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <tuple>

#include "cli/command.h"
#include "config/components.h"
#include "config/config.h"
#include "config/experiment.h"
#include "workflow/trained_experiment.h"

namespace ebm::experiments {

namespace {

struct EvalArguments {
  std::string run_dir, model_file, metric;  // one of run_dir, model_file; metric: a registered evaluator
  // Settings of the metric's own keys given as flags: "betas" -> "20000" sets eval.METRIC_betas.
  std::map<std::string, std::string> settings;
  // Doubles the metric's betas until its estimate moves less than its spread over repeats, or
  // until max_betas (0: 16 times the first).
  bool check_schedule = false;
  int64_t max_betas = 0;
};

}  // namespace

namespace {

// The component's settings as the config resolves them, for the report.
nlohmann::ordered_json settings_of(const Component<EvaluatorFactory>& component, const Config& config) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& field : component.fields) {
    const auto node = config.at("eval." + field.name);
    const auto key = field.name.substr(component.name.size() + 1);  // ais_betas -> betas
    if (field.kind == ValueKind::Integer) out[key] = node.as<int64_t>();
    else if (field.kind == ValueKind::Number) out[key] = node.as<double>();
    else if (field.kind == ValueKind::Boolean) out[key] = node.as<bool>();
    else out[key] = node.as<std::string>();
  }
  return out;
}

struct Evaluation {
  nlohmann::ordered_json settings;
  trainers::Metrics metrics;
  std::string primary;
};

// The schedule check needs a spread, so it is refused before any work when there is none.
Evaluation evaluate(const EvalArguments& args, const std::vector<std::string>& overrides, int64_t* step, bool announce) {
  Experiment e = args.model_file.empty() ? load_trained_experiment(args.run_dir, step, overrides)
                                         : load_exported_experiment(args.model_file, step, overrides);
  const auto& component = evaluator_registry().at(args.metric);
  std::shared_ptr<trainers::Evaluator> evaluator;
  try {
    require_accepted(component.accepts, *e.model, args.metric, e.truth != nullptr);
    evaluator = component.make(SectionConfig(e.config, "eval"), e);
    evaluator->check_model(*e.model);
  } catch (const std::invalid_argument& error) {
    throw ConfigError("--metric " + args.metric + ": " + error.what());
  }
  auto settings = settings_of(component, e.config);
  if (args.check_schedule && settings.contains("repeats") && settings["repeats"].get<int64_t>() < 2) {
    throw ConfigError("--check-schedule needs --repeats of at least 2: the spread of the repeats decides");
  }
  if (announce) {
    spdlog::info("evaluating {} of '{}' at step {} on {} ({} examples){}", args.metric, e.name, *step, e.data->name(),
                 e.data->evaluation_split().size(), settings.empty() ? "" : " with " + settings.dump());
  }
  auto metrics = evaluator->evaluate(*e.model, e.data->evaluation_split());
  return {std::move(settings), std::move(metrics), evaluator->primary_metric()};
}

}  // namespace

int eval(const EvalArguments& args) {
  // The flags are overrides of the evaluator's own keys, so `ebm eval` and eval.NAME in a
  // config build the evaluator the same way; keys not given keep the run's config.
  const auto& component = evaluator_registry().at(args.metric);
  std::vector<std::string> overrides;
  for (const auto& [key, value] : args.settings) overrides.push_back("eval." + args.metric + "_" + key + "=" + value);
  int64_t step = 0;
  nlohmann::ordered_json out = args.model_file.empty() ? nlohmann::ordered_json{{"run", args.run_dir}}
                                                       : nlohmann::ordered_json{{"model", args.model_file}};
  out["metric"] = args.metric;
  if (!args.check_schedule) {
    auto result = evaluate(args, overrides, &step, true);
    out["step"] = step;
    if (!result.settings.empty()) out["settings"] = result.settings;
    out.update(result.metrics);
    std::cout << out.dump() << std::endl;
    return 0;
  }

  // The schedule check: each level doubles the betas of the one before.
  const std::string betas_key = args.metric + "_betas";
  bool has_betas = false;
  for (const auto& field : component.fields) has_betas |= field.name == betas_key;
  if (!has_betas) throw ConfigError("--check-schedule needs a metric with inverse temperatures (ais, raise), not " + args.metric);
  auto first = evaluate(args, overrides, &step, true);
  const int64_t start = first.settings["betas"].get<int64_t>();
  const int64_t max_betas = args.max_betas > 0 ? args.max_betas : 16 * start;
  nlohmann::ordered_json levels = nlohmann::ordered_json::array();
  auto level_of = [&](const Evaluation& e) {
    return nlohmann::ordered_json{{"betas", e.settings["betas"]},
                                  {e.primary, e.metrics[e.primary]},
                                  {e.primary + "_spread", e.metrics[e.primary + "_spread"]}};
  };
  levels.push_back(level_of(first));
  Evaluation last = std::move(first);
  bool settled = false;
  int64_t enough = 0;
  for (int64_t betas = 2 * start; betas <= max_betas && !settled; betas *= 2) {
    spdlog::info("schedule check: {} betas", betas);
    auto with = overrides;
    with.push_back("eval." + betas_key + "=" + std::to_string(betas));
    auto next = evaluate(args, with, &step, false);
    levels.push_back(level_of(next));
    const double moved = std::abs(next.metrics[next.primary].get<double>() - last.metrics[last.primary].get<double>());
    const double spread = std::max(next.metrics[next.primary + "_spread"].get<double>(),
                                   last.metrics[last.primary + "_spread"].get<double>());
    if (moved < spread) {
      settled = true;
      enough = last.settings["betas"].get<int64_t>();
    }
    last = std::move(next);
  }
  if (!settled) spdlog::warn("schedule check: the estimate still moved by more than its spread at {} betas", max_betas);
  out["step"] = step;
  out["settings"] = last.settings;
  out["schedule_check"] = {{"levels", levels}, {"settled", settled}};
  if (settled) out["schedule_check"]["betas_enough"] = enough;
  out.update(last.metrics);
  std::cout << out.dump() << std::endl;
  return 0;
}

Command add_eval(CLI::App& app) {
  auto args = std::make_shared<EvalArguments>();
  auto* command = app.add_subcommand("eval", "evaluate a trained run or an exported model; one JSON line");
  auto* run = command->add_option("--run", args->run_dir, "run directory");
  command->add_option("--model", args->model_file, "a .safetensors file `ebm export` wrote (its config inside)")->excludes(run);
  const auto metrics = evaluator_registry().names();
  std::string metric_list;
  for (const auto& m : metrics) metric_list += (metric_list.empty() ? "" : " | ") + m;
  command->add_option("--metric", args->metric, metric_list)->required()->check(CLI::IsMember(metrics));
  // The metric's own settings (eval.METRIC_KEY), each flag given only where the metric has that key.
  auto flags = std::make_shared<std::map<std::string, std::string>>();
  const std::vector<std::tuple<std::string, std::string, CLI::Validator>> settings = {
      {"chains", "AIS chains (ais); reverse walks per row (raise)", integer_in(1)},
      {"betas", "intermediate distributions (ais, raise)", integer_in(1)},
      {"schedule", "inverse temperatures: piecewise | linear (ais, raise)", CLI::IsMember({"piecewise", "linear"})},
      {"repeats", "independent runs, whose spread is the error bar (ais, raise)", integer_in(1)},
      {"reverse", "reverse AIS from exact model samples (a bound; enumerable RBMs), from data rows (no bound), off, "
                  "or auto (ais)", CLI::IsMember({"auto", "exact", "data", "off"})},
      {"burn-in", "reverse AIS from data: Gibbs sweeps from data rows first (ais)", integer_in(0)}};
  for (const auto& [flag, help, check] : settings) {
    command->add_option("--" + flag, (*flags)[flag], help + " (default the run's config)")->check(check);
  }
  auto* check_schedule = command->add_flag("--check-schedule", args->check_schedule,
                                            "double --betas until the estimate moves less than its spread over the repeats");
  command->add_option("--max-betas", args->max_betas, "--check-schedule stops here (0: 16 times the first betas)")
      ->check(integer_in(0))
      ->needs(check_schedule);
  return {command, [args, flags, command] {
            if (args->run_dir.empty() == args->model_file.empty()) throw ConfigError("eval needs --run DIR or --model FILE");
            const auto& fields = evaluator_registry().at(args->metric).fields;
            std::string accepted;
            for (const auto& field : fields) accepted += (accepted.empty() ? "--" : ", --") + field.name.substr(args->metric.size() + 1);
            std::replace(accepted.begin(), accepted.end(), '_', '-');
            for (const auto& [flag, value] : *flags) {
              if (command->count("--" + flag) == 0) continue;
              std::string key = flag;
              std::replace(key.begin(), key.end(), '-', '_');
              const bool known = std::any_of(fields.begin(), fields.end(),
                                             [&](const auto& field) { return field.name == args->metric + "_" + key; });
              if (!known) {
                throw ConfigError("--" + flag + " is not a setting of --metric " + args->metric +
                                  (accepted.empty() ? " (it has none)" : " (its settings: " + accepted + ")"));
              }
              args->settings[key] = value;
            }
            return eval(*args);
          }};
}

}  // namespace ebm::experiments
