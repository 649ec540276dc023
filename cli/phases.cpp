#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "reports/chart.h"
#include "samplers/chain_source.h"
#include "io/atomic_file.h"
#include "cli/command.h"
#include "config/experiment.h"
#include "workflow/trained_experiment.h"
#include "workflow/run_directory.h"
#include "reports/safetensors.h"
#include "ebm/latent_variable_model.h"
#include "samplers/parallel_tempering.h"
#include "trainers/phases.h"

namespace ebm::experiments {

namespace {

// `ebm phases`: positive and negative phases of one batch, and how far CD-k, PCD and parallel
// tempering estimates of the negative phase are from the exact one (docs/TOOLS.md).
struct PhasesArguments {
  ToolSource source;
  std::vector<int64_t> ks = {1, 3, 10, 30, 100};
  int64_t repeats = 500, burn_in = 1000, batch = 0, chains = 0, temperatures = 10;
  double min_beta = 0.1;
};

}  // namespace


using namespace reports;  // pictures, charts and file formats

namespace {

namespace fs = std::filesystem;
using trainers::NamedTensors;

struct Estimator {
  std::string name, kind;  // kind: cd | pcd | pt
  int64_t k = 1;
  std::shared_ptr<samplers::Sampler> sampler;
  bool persistent() const { return kind != "cd"; }
};

struct EstimatorResult {
  Estimator estimator;
  int64_t chains = 0;
  std::vector<NamedTensors> negatives;
  double seconds_per_estimate = 0;
  std::map<std::string, double> statistics;
};

EstimatorResult run_estimator(EnergyModelImpl& model, const Estimator& estimator, const torch::Tensor& batch,
                              const torch::Tensor& data, const PhasesArguments& args) {
  EstimatorResult result;
  result.estimator = estimator;
  torch::Tensor chains;
  if (estimator.persistent()) {
    // Persistent chains at a fixed model: start at random data rows and burn in, then each
    // repeat advances them k more transitions (what PCD's chains see when the model moves slowly).
    chains = samplers::PersistentChainSource(args.chains > 0 ? args.chains : batch.size(0)).start(data);
    if (args.burn_in > 0) chains = estimator.sampler->run(model, chains, args.burn_in);
  }
  result.chains = estimator.persistent() ? chains.size(0) : batch.size(0);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < args.repeats; ++r) {
    auto samples = estimator.sampler->run(model, estimator.persistent() ? chains : batch, estimator.k);
    if (estimator.persistent()) chains = samples;
    result.negatives.push_back(trainers::sampled_negative_phase(model, samples));
  }
  result.seconds_per_estimate =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / static_cast<double>(args.repeats);
  result.statistics = samplers::host_statistics(*estimator.sampler);
  return result;
}

nlohmann::ordered_json comparison_json(const trainers::EstimatorComparison& c) {
  return {{"cosine_to_exact", c.cosine_to_exact},
          {"relative_bias", c.relative_bias},
          {"relative_std", c.relative_std},
          {"relative_bias_noise", c.relative_bias_noise},
          {"autocorrelation_time", c.autocorrelation_time},
          {"negative_relative_bias", c.negative_relative_bias}};
}

// Bias and spread of CD-k against k, persistent estimators as dashed reference lines; and the
// cosine to the exact gradient the same way.
Image phases_picture(const nlohmann::ordered_json& estimators) {
  std::vector<Series> bias, cosine;
  Series cd_bias{"cd-k bias", {}, {}, {}, palette(0), true};
  Series cd_spread{"cd-k spread (std)", {}, {}, {}, palette(1), true};
  Series cd_noise{"cd-k noise floor of the bias", {}, {}, {}, palette(7), false};
  Series cd_cosine{"cd-k cosine", {}, {}, {}, palette(0), true};
  size_t colour = 2;
  for (const auto& e : estimators) {
    if (e["kind"] == "cd") {
      const double k = e["k"].get<double>();
      cd_bias.x.push_back(k), cd_bias.y.push_back(e["relative_bias"].get<double>());
      cd_spread.x.push_back(k), cd_spread.y.push_back(e["relative_std"].get<double>());
      cd_noise.x.push_back(k), cd_noise.y.push_back(e["relative_bias_noise"].get<double>());
      cd_cosine.x.push_back(k), cd_cosine.y.push_back(e["cosine_to_exact"].get<double>());
    } else {
      const auto name = e["name"].get<std::string>();
      Series b{name + " bias", {}, {e["relative_bias"].get<double>()}, {}, palette(colour)};
      b.horizontal = true;
      Series c{name + " cosine", {}, {e["cosine_to_exact"].get<double>()}, {}, palette(colour)};
      c.horizontal = true;
      bias.push_back(b), cosine.push_back(c);
      ++colour;
    }
  }
  bias.insert(bias.begin(), {cd_bias, cd_spread, cd_noise});
  cosine.insert(cosine.begin(), cd_cosine);
  ChartOptions top;
  top.title = "gradient error relative to the exact gradient";
  top.x_label = "k (gibbs steps from the data)";
  top.y_label = "|bias| / |g|, std / |g|";
  top.log_x = true;
  ChartOptions bottom = top;
  bottom.title = "cosine of each estimate to the exact gradient";
  bottom.y_label = "mean cosine";
  return stack_vertically({render_chart(top, bias), render_chart(bottom, cosine)});
}

}  // namespace

int phases(const PhasesArguments& args) {
  if (args.repeats < 4) throw ConfigError("--repeats must be at least 4");
  int64_t step = 0;
  Experiment e = load_experiment(args.source.config_path, args.source.overrides, args.source.run_dir, &step);
  if (args.source.threads >= 0) set_threads(args.source.threads);
  auto& model = *e.model;
  // Ground truth is computed in double; the estimators run on the same double model.
  model.to(e.device, torch::kFloat64);
  auto data = e.data->data().to(e.device, torch::kFloat64);

  // 2-D continuous models: quadrature on the experiment's grid (eval.grid_box, eval.grid_resolution).
  std::optional<QuadratureGrid> grid;
  if (model.domain() == Domain::Continuous && model.dim() == 2) grid = e.grid;
  const auto why = trainers::exact_negative_phase_unavailable(model, grid);
  if (!why.empty()) throw ConfigError(why);

  const std::string name = e.name;
  const auto output = output_directory(
      args.source.out_dir, args.source.run_dir.empty() ? (fs::path("runs") / (name + "-phases")).string() : (fs::path(args.source.run_dir) / "phases").string(),
      [](const std::string& d) { return fs::exists(fs::path(d) / "phases.json"); },
      args.source.out_dir + " already holds phases.json: pass --force to replace it, or choose another --out", args.source.force);
  const std::string& out_dir = output.path;

  const int64_t batch_size = std::min(args.batch > 0 ? args.batch : e.train_options.batch_size(), data.size(0));
  auto batch = data.index_select(0, torch::randperm(data.size(0), torch::TensorOptions().dtype(torch::kLong).device(e.device)).slice(0, 0, batch_size));
  spdlog::info("phases of '{}' (step {}) on a batch of {}; exact negative phase by {}", name, step, batch_size,
               grid ? "grid quadrature" : "enumeration");
  auto positive = trainers::positive_phase(model, batch);
  auto exact_negative = trainers::exact_negative_phase(model, grid);

  std::vector<Estimator> estimators;
  for (int64_t k : args.ks) estimators.push_back({"cd-" + std::to_string(k), "cd", k, e.sampler});
  // Persistent estimators advance their chains one transition per estimate, as PCD-1 does.
  const int64_t persistent_k = 1;
  estimators.push_back({"pcd-" + std::to_string(persistent_k), "pcd", persistent_k, e.sampler});
  if (dynamic_cast<LatentVariableModel*>(&model) != nullptr) {
    auto pt = std::make_shared<samplers::ParallelTemperingSampler>(
        samplers::ParallelTemperingOptions().temperatures(args.temperatures).min_beta(args.min_beta));
    estimators.push_back({"pt-" + std::to_string(persistent_k), "pt", persistent_k, pt});
  }

  nlohmann::ordered_json parameters = nlohmann::ordered_json::array();
  NamedTensors saved;
  for (size_t i = 0; i < positive.size(); ++i) {
    const auto& pname = positive[i].first;
    parameters.push_back({{"name", pname},
                          {"positive_norm", positive[i].second.norm().item<double>()},
                          {"negative_exact_norm", exact_negative[i].second.norm().item<double>()},
                          {"gradient_norm", (positive[i].second + exact_negative[i].second).norm().item<double>()}});
    saved.emplace_back("positive." + pname, positive[i].second);
    saved.emplace_back("negative_exact." + pname, exact_negative[i].second);
  }

  nlohmann::ordered_json estimator_rows = nlohmann::ordered_json::array();
  for (const auto& estimator : estimators) {
    auto result = run_estimator(model, estimator, batch, data, args);
    nlohmann::ordered_json row = {{"name", estimator.name}, {"kind", estimator.kind}, {"k", estimator.k},
                                  {"chains", result.chains}};
    row.update(comparison_json(trainers::compare_to_exact(result.negatives, positive, exact_negative)));
    row["seconds_per_estimate"] = result.seconds_per_estimate;
    for (const auto& [stat, value] : result.statistics) row[stat] = value;
    nlohmann::ordered_json per_parameter;
    for (const auto& [pname, unused] : positive) {
      per_parameter[pname] = comparison_json(trainers::compare_to_exact(result.negatives, positive, exact_negative, pname));
    }
    row["per_parameter"] = per_parameter;
    for (const auto& [pname, tensor] : trainers::mean_of(result.negatives)) {
      saved.emplace_back("negative_mean." + estimator.name + "." + pname, tensor);
    }
    spdlog::info("{}: cosine {:.4f}, relative bias {:.4f}, relative std {:.4f}", estimator.name,
                 row["cosine_to_exact"].get<double>(), row["relative_bias"].get<double>(), row["relative_std"].get<double>());
    estimator_rows.push_back(row);
  }

  nlohmann::ordered_json report = {
      {"model", model.type_name()},
      {"source", args.source.run_dir.empty() ? args.source.config_path : args.source.run_dir},
      {"step", step},
      {"batch_size", batch_size},
      {"repeats", args.repeats},
      {"burn_in", args.burn_in},
      {"exact", grid ? "grid_quadrature" : "enumeration"},
      {"parameters", parameters},
      {"estimators", estimator_rows}};
  write_safetensors(out_dir + "/phases.safetensors", saved);
  write_png(out_dir + "/phases.png", phases_picture(estimator_rows));
  io::write_file_atomically(out_dir + "/phases.json", report.dump(2) + "\n");

  std::cout << fmt::format("{:<10} {:>6} {:>7} {:>9} {:>9} {:>9} {:>9} {:>12}\n", "estimator", "chains", "cosine",
                           "rel_bias", "±noise", "rel_std", "neg_bias", "ms/estimate");
  for (const auto& row : estimator_rows) {
    std::cout << fmt::format("{:<10} {:>6} {:>7.4f} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f} {:>12.3f}\n", row["name"].get<std::string>(),
                             row["chains"].get<int64_t>(), row["cosine_to_exact"].get<double>(),
                             row["relative_bias"].get<double>(), row["relative_bias_noise"].get<double>(), row["relative_std"].get<double>(),
                             row["negative_relative_bias"].get<double>(), 1e3 * row["seconds_per_estimate"].get<double>());
  }
  spdlog::info("wrote {}/phases.json, phases.safetensors and phases.png", out_dir);
  std::cout << out_dir << "/phases.json" << std::endl;
  return 0;
}

Command add_phases(CLI::App& app) {
  auto args = std::make_shared<PhasesArguments>();
  auto* command = app.add_subcommand(
      "phases", "positive and negative phases of one batch; CD-k, PCD and PT estimators against the exact gradient");
  add_tool_source(command, args->source, "phases");
  command->add_option("--k", args->ks, "CD-k step counts, comma-separated")->delimiter(',')->check(integer_in(1));
  command->add_option("--repeats", args->repeats, "estimates per estimator (at least 4: the noise floor needs their autocorrelation)")
      ->check(integer_in(4, 1000000));
  command->add_option("--burn-in", args->burn_in, "transitions before the persistent estimators start")->check(integer_in(0));
  command->add_option("--batch", args->batch, "data batch size (default train.batch_size)")->check(integer_in(1));
  command->add_option("--chains", args->chains, "persistent chains (default the batch size)")->check(integer_in(1));
  command->add_option("--temperatures", args->temperatures, "parallel tempering replicas")->check(integer_in(2, 1000));
  command->add_option("--min-beta", args->min_beta, "hottest inverse temperature")->check(CLI::Range(0.0, 0.999999));
  return {command, [args] { return phases(*args); }};
}

}  // namespace ebm::experiments
