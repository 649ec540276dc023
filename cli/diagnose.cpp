#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "reports/chart.h"
#include "samplers/chain_source.h"
#include "io/atomic_file.h"
#include "cli/command.h"
#include "config/experiment.h"
#include "workflow/trained_experiment.h"
#include "workflow/run_directory.h"
#include "samplers/diagnostics.h"

namespace ebm::experiments {

namespace {

// `ebm diagnose`: runs the configured sampler on the model from several over-dispersed starts
// and reports R-hat, bulk and tail ESS and autocorrelation time for the energy and a few random
// projections, one JSON line each, with a trace plot.
struct DiagnoseArguments {
  ToolSource source;
  int64_t chains = 4, warmup = 200, draws = 1000, thin = 1, projections = 2;
  std::string init = "noise";  // noise | data
};

}  // namespace


using namespace reports;  // pictures, charts and file formats

namespace {

namespace fs = std::filesystem;

// Where chains start, from the chain sources the training uses: over-dispersed noise (fair coin
// flips for binary models, uniform on the data's box widened by half its extent on each side
// for continuous ones), or random data rows (as persistent chains start).
torch::Tensor initial_states(const EnergyModelImpl& model, const torch::Tensor& data, int64_t chains, const std::string& init) {
  if (init == "data") return samplers::PersistentChainSource(chains).start(data);
  return samplers::NoiseChainSource::around(data, model.domain() == Domain::Binary, chains, /*margin=*/0.5).start(data);
}

// Vehtari et al. (2021) recommend R-hat below 1.01 and a bulk and tail ESS of at least 100 per
// chain before trusting estimates.
bool converged(double rhat, double bulk, double tail, int64_t chains) {
  return rhat < 1.01 && bulk >= 100.0 * chains && tail >= 100.0 * chains;
}

}  // namespace

int diagnose(const DiagnoseArguments& args) {
  if (args.chains < 2) throw ConfigError("--chains must be at least 2 (R-hat compares chains)");
  if (args.draws < 8) throw ConfigError("--draws must be at least 8");
  int64_t step = 0;
  Experiment e = load_experiment(args.source.config_path, args.source.overrides, args.source.run_dir, &step);
  if (args.source.threads >= 0) set_threads(args.source.threads);
  auto& model = *e.model;
  const auto output = output_directory(
      args.source.out_dir, args.source.run_dir.empty() ? (fs::path("runs") / (e.name + "-diagnose")).string() : (fs::path(args.source.run_dir) / "diagnose").string(),
      [](const std::string& d) { return fs::exists(fs::path(d) / "diagnostics.jsonl"); },
      args.source.out_dir + " already holds diagnostics.jsonl: pass --force to replace it, or choose another --out", args.source.force);
  const std::string& out_dir = output.path;

  const auto& data = e.data->data();
  auto directions = torch::randn({data.size(1), args.projections}, data.options());
  directions = directions / directions.norm(2, 0, true);
  std::vector<std::string> names = {"energy"};
  for (int64_t j = 0; j < args.projections; ++j) names.push_back("projection_" + std::to_string(j));
  std::vector<samplers::Draws> draws(names.size(), samplers::Draws(args.chains, args.draws));

  spdlog::info("diagnosing the {} sampler on '{}' (step {}): {} chains from {}, {} warm-up and {} draws (thin {})",
               e.sampler->name(), e.name, step, args.chains, args.init, args.warmup, args.draws, args.thin);
  torch::NoGradGuard no_grad;
  auto x = initial_states(model, data, args.chains, args.init);
  if (args.warmup > 0) x = e.sampler->run(model, x, args.warmup);
  std::map<std::string, double> statistic_sums;
  for (int64_t t = 0; t < args.draws; ++t) {
    x = e.sampler->run(model, x, args.thin);
    for (const auto& [name, value] : samplers::host_statistics(*e.sampler)) statistic_sums[name] += value;
    auto values = torch::cat({model.energy(x).unsqueeze(1), x.mm(directions)}, 1).to(torch::kFloat64).cpu();
    auto accessor = values.accessor<double, 2>();
    for (int64_t c = 0; c < args.chains; ++c) {
      for (size_t q = 0; q < names.size(); ++q) draws[q](c, t) = accessor[c][static_cast<int64_t>(q)];
    }
  }

  std::string lines;
  bool all_converged = true;
  std::vector<Image> panels;
  for (size_t q = 0; q < names.size(); ++q) {
    const auto& d = draws[q];
    const double rhat = samplers::split_rhat(d), bulk = samplers::bulk_ess(d), tail = samplers::tail_ess(d);
    const double tau = samplers::integrated_autocorrelation_time(d);
    const bool ok = converged(rhat, bulk, tail, args.chains);
    all_converged = all_converged && ok;
    const double mean = d.mean(), sd = std::sqrt((d.array() - mean).square().sum() / static_cast<double>(d.size() - 1));
    nlohmann::ordered_json row = {{"quantity", names[q]}, {"mean", mean}, {"sd", sd}, {"rhat", rhat},
                                  {"bulk_ess", bulk}, {"tail_ess", tail}, {"autocorrelation_time", tau},
                                  {"converged", ok}};
    lines += row.dump() + "\n";

    std::vector<Series> chains;
    for (int64_t c = 0; c < args.chains; ++c) {
      // One legend, under the last panel.
      const bool last_panel = q + 1 == names.size();
      Series s{last_panel ? "chain " + std::to_string(c) : "", {}, {}, {}, palette(static_cast<size_t>(c))};
      for (int64_t t = 0; t < args.draws; ++t) s.x.push_back(static_cast<double>(args.warmup + (t + 1) * args.thin)), s.y.push_back(d(c, t));
      chains.push_back(std::move(s));
    }
    ChartOptions chart;
    chart.title = fmt::format("{}: r-hat {:.3f}, bulk ess {:.0f}, tail ess {:.0f}", names[q], rhat, bulk, tail);
    chart.x_label = q + 1 == names.size() ? "transition" : "";
    chart.height = 220;
    panels.push_back(render_chart(chart, chains));
  }
  nlohmann::ordered_json summary = {{"summary", true}, {"sampler", e.sampler->name()}, {"chains", args.chains},
                                    {"warmup", args.warmup}, {"draws", args.draws}, {"thin", args.thin},
                                    {"converged", all_converged}};
  for (const auto& [name, total] : statistic_sums) summary[name] = total / static_cast<double>(args.draws);
  lines += summary.dump() + "\n";

  write_png(out_dir + "/trace.png", stack_vertically(panels));
  io::write_file_atomically(out_dir + "/diagnostics.jsonl", lines);
  std::cout << lines << std::flush;
  spdlog::info("{}: wrote {}/diagnostics.jsonl and trace.png", all_converged ? "converged" : "NOT converged", out_dir);
  return 0;
}

Command add_diagnose(CLI::App& app) {
  auto args = std::make_shared<DiagnoseArguments>();
  auto* command = app.add_subcommand("diagnose", "run the configured sampler from several starts; R-hat, ESS and a trace plot");
  add_tool_source(command, args->source, "diagnose");
  command->add_option("--chains", args->chains, "independent chains")->check(integer_in(2, 1000000));
  command->add_option("--warmup", args->warmup, "transitions discarded first")->check(integer_in(0));
  command->add_option("--draws", args->draws, "draws kept per chain")->check(integer_in(8, 100000000));
  command->add_option("--thin", args->thin, "transitions per draw")->check(integer_in(1));
  command->add_option("--projections", args->projections, "random projections of x to diagnose")->check(integer_in(0, 64));
  command->add_option("--init", args->init, "chain starts: noise (over-dispersed) | data")->check(CLI::IsMember({"noise", "data"}));
  return {command, [args] { return diagnose(*args); }};
}

}  // namespace ebm::experiments
