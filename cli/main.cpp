// The `ebm` command line: train, sample, export, eval, phases, diagnose, reproduce, sweep, schema, bench. Logs go to stderr, results (JSON) to stdout.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <c10/util/Exception.h>
#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <new>
#include <set>
#include <tuple>

#include "cli/commands.h"
#include "config/components.h"
#include "config/config.h"
#include "config/schema.h"
#include "workflow/system_info.h"
#include "io/interrupt.h"
#include "io/out_of_memory.h"
#include "trainers/trainer.h"

namespace {

// An integer flag bounded below (and above, when given), with a short message.
CLI::Validator integer_in(int64_t lo, int64_t hi = std::numeric_limits<int64_t>::max()) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        int64_t x = 0;
        size_t used = 0;
        try {
          x = std::stoll(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size()) return "'" + text + "' is not an integer";
        if (x < lo || x > hi) {
          return "must be at least " + std::to_string(lo) +
                 (hi == std::numeric_limits<int64_t>::max() ? "" : " and at most " + std::to_string(hi)) + ", not " + text;
        }
        return "";
      },
      hi == std::numeric_limits<int64_t>::max() ? "INT>=" + std::to_string(lo)
                                                : "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// The options every measuring tool shares: CONFIG or --run, --out, --force, --set, --threads.
void add_tool_source(CLI::App* command, ebm::experiments::ToolSource& source, const std::string& tool) {
  command->add_option("config", source.config_path, "experiment config (YAML): its model as initialised");
  command->add_option("--run", source.run_dir, "a trained run instead of a config")->excludes(command->get_option("config"));
  command->add_option("--out", source.out_dir, "output directory (default runs/<name>-" + tool + ", or DIR/" + tool + " with --run)");
  command->add_flag("--force", source.force, "replace the results already in --out");
  command->add_option("--set", source.overrides, "override a config key (repeatable; with --run, not the model's)")
      ->allow_extra_args(false);
  command->add_option("--threads", source.threads, "CPU threads (default the config's; 0 = all cores)")->check(integer_in(0));
}

}  // namespace

int main(int argc, char** argv) {
  ebm::experiments::restart_if_blas_misjudged_the_cpu(argv);
  // Training allocates and frees the same megabyte-sized tensors every step. glibc serves such
  // blocks with fresh mmap()s by default, and their page faults cost a third of a CD step on a
  // 784x500 RBM; keeping them on the heap makes them reusable.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // A file-size limit then makes write() fail with EFBIG, which the writers report, instead of
  // killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C, SIGTERM and SIGHUP stop the work at its next step boundary, keeping it.
  ebm::io::install_interrupt_handlers();
  auto logger = spdlog::stderr_logger_mt("ebm");
  logger->set_pattern("[%H:%M:%S] %v");
  spdlog::set_default_logger(logger);

  CLI::App app{"ebm: train, sample and evaluate energy-based models"};
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();  // --help shows each option's default

  ebm::experiments::TrainArguments train;
  auto* train_cmd = app.add_subcommand("train", "train a model from a YAML config");
  train_cmd->add_option("config", train.config_path, "experiment config (YAML)");
  train_cmd->add_option("--resume", train.resume_dir, "continue the run in this directory")
      ->excludes(train_cmd->get_option("config"));
  train_cmd->add_option("--out", train.out_dir, "run directory (default runs/<name>)")
      ->excludes("--resume");
  train_cmd->add_flag("--force", train.force, "replace the run already in --out");
  train_cmd->add_option("--set", train.overrides, "override a config key: --set train.steps=400 (repeatable)")
      ->allow_extra_args(false);

  ebm::experiments::ExportArguments exporting;
  auto* export_cmd = app.add_subcommand("export", "write a run's parameters as safetensors");
  export_cmd->add_option("--run", exporting.run_dir, "run directory")->required();
  export_cmd->add_option("--out", exporting.out_file, "output .safetensors file (a new one)")->required();
  export_cmd->add_flag("--force", exporting.force, "replace an existing --out file");

  ebm::experiments::EvalArguments eval;
  auto* eval_cmd = app.add_subcommand("eval", "evaluate a trained run or an exported model; one JSON line");
  auto* eval_run = eval_cmd->add_option("--run", eval.run_dir, "run directory");
  eval_cmd->add_option("--model", eval.model_file, "a .safetensors file `ebm export` wrote (its config inside)")
      ->excludes(eval_run);
  const auto metrics = ebm::experiments::evaluator_registry().names();
  std::string metric_list;
  for (const auto& m : metrics) metric_list += (metric_list.empty() ? "" : " | ") + m;
  eval_cmd->add_option("--metric", eval.metric, metric_list)->required()->check(CLI::IsMember(metrics));
  // The metric's own settings (eval.METRIC_KEY), each flag given only where the metric has that key.
  std::map<std::string, std::string> eval_flags;
  const std::vector<std::tuple<std::string, std::string, CLI::Validator>> eval_settings = {
      {"chains", "AIS chains (ais); reverse walks per row (raise)", integer_in(1)},
      {"betas", "intermediate distributions (ais, raise)", integer_in(1)},
      {"schedule", "inverse temperatures: piecewise | linear (ais, raise)", CLI::IsMember({"piecewise", "linear"})},
      {"repeats", "independent runs, whose spread is the error bar (ais, raise)", integer_in(1)},
      {"reverse", "reverse AIS from exact model samples (a bound; enumerable RBMs), from data rows (no bound), off, "
                  "or auto (ais)", CLI::IsMember({"auto", "exact", "data", "off"})},
      {"burn-in", "reverse AIS from data: Gibbs sweeps from data rows first (ais)", integer_in(0)}};
  for (const auto& [flag, help, check] : eval_settings) {
    eval_cmd->add_option("--" + flag, eval_flags[flag], help + " (default the run's config)")->check(check);
  }
  auto* check_schedule = eval_cmd->add_flag("--check-schedule", eval.check_schedule,
                                             "double --betas until the estimate moves less than its spread over the repeats");
  eval_cmd->add_option("--max-betas", eval.max_betas, "--check-schedule stops here (0: 16 times the first betas)")
      ->check(integer_in(0))
      ->needs(check_schedule);

  ebm::experiments::PhasesArguments phases;
  auto* phases_cmd = app.add_subcommand(
      "phases", "positive and negative phases of one batch; CD-k, PCD and PT estimators against the exact gradient");
  add_tool_source(phases_cmd, phases.source, "phases");
  phases_cmd->add_option("--k", phases.ks, "CD-k step counts, comma-separated")->delimiter(',')->check(integer_in(1));
  phases_cmd->add_option("--repeats", phases.repeats, "estimates per estimator (at least 4: the noise floor needs their autocorrelation)")->check(integer_in(4, 1000000));
  phases_cmd->add_option("--burn-in", phases.burn_in, "transitions before the persistent estimators start")->check(integer_in(0));
  phases_cmd->add_option("--batch", phases.batch, "data batch size (default train.batch_size)")->check(integer_in(1));
  phases_cmd->add_option("--chains", phases.chains, "persistent chains (default the batch size)")->check(integer_in(1));
  phases_cmd->add_option("--temperatures", phases.temperatures, "parallel tempering replicas")->check(integer_in(2, 1000));
  phases_cmd->add_option("--min-beta", phases.min_beta, "hottest inverse temperature")->check(CLI::Range(0.0, 0.999999));

  ebm::experiments::DiagnoseArguments diagnose;
  auto* diagnose_cmd = app.add_subcommand(
      "diagnose", "run the configured sampler from several starts; R-hat, ESS and a trace plot");
  add_tool_source(diagnose_cmd, diagnose.source, "diagnose");
  diagnose_cmd->add_option("--chains", diagnose.chains, "independent chains")->check(integer_in(2, 1000000));
  diagnose_cmd->add_option("--warmup", diagnose.warmup, "transitions discarded first")->check(integer_in(0));
  diagnose_cmd->add_option("--draws", diagnose.draws, "draws kept per chain")->check(integer_in(8, 100000000));
  diagnose_cmd->add_option("--thin", diagnose.thin, "transitions per draw")->check(integer_in(1));
  diagnose_cmd->add_option("--projections", diagnose.projections, "random projections of x to diagnose")->check(integer_in(0, 64));
  diagnose_cmd->add_option("--init", diagnose.init, "chain starts: noise (over-dispersed) | data")->check(CLI::IsMember({"noise", "data"}));

  ebm::experiments::SampleArguments sample;
  auto* sample_cmd = app.add_subcommand("sample", "draw samples from a trained run: a CSV and a picture beside it");
  sample_cmd->add_option("--run", sample.run_dir, "run directory")->required();
  sample_cmd->add_option("--out", sample.out_file, "output .csv, a new one (the picture goes beside it as .png)")->required();
  sample_cmd->add_flag("--force", sample.force, "replace an existing CSV and picture");
  sample_cmd->add_option("--n", sample.n, "samples (independent chains)")->check(integer_in(1, 100000000));
  sample_cmd->add_option("--steps", sample.steps, "sampler transitions from noise")->check(integer_in(1));
  sample_cmd->add_option("--sampler", sample.sampler, "another sampler type (its settings from --set sampler.KEY=VALUE)")
      ->check(CLI::IsMember(ebm::experiments::sampler_registry().names()));
  sample_cmd->add_option("--set", sample.overrides, "override a config key, e.g. sampler.step_size=0.005 (repeatable)")
      ->allow_extra_args(false);

  ebm::experiments::ReproduceArguments reproduce;
  auto* reproduce_cmd = app.add_subcommand(
      "reproduce", "reproduce a failure mode of the catalogue: its runs, signature.json and picture; exit 1 if not reproduced");
  reproduce_cmd->add_option("name", reproduce.target, "a failure mode (see --list) or a study file (YAML)");
  reproduce_cmd->add_flag("--list", reproduce.list, "list the catalogue, one line each");
  reproduce_cmd->add_flag("--all", reproduce.all, "run the whole catalogue and print its table");
  reproduce_cmd->add_flag("--quick", reproduce.quick, "the reduced version (seconds; what the tests run)");
  reproduce_cmd->add_option("--out", reproduce.out_dir, "output directory (default runs/reproduce/NAME)");
  reproduce_cmd->add_flag("--force", reproduce.force, "replace the results already in --out");
  reproduce_cmd->add_option("--set", reproduce.overrides, "override a study key: --set study.ks=[1,10] or experiment.train.steps=500 (repeatable)")
      ->allow_extra_args(false);
  reproduce_cmd->add_option("--threads", reproduce.threads, "CPU threads of every run (default each experiment's; 0 = all cores)")->check(integer_in(0));

  ebm::experiments::SweepArguments sweep;
  auto* sweep_cmd = app.add_subcommand("sweep", "train once per point of a grid of config values; sweep.jsonl, a table and a plot");
  sweep_cmd->add_option("config", sweep.config_path, "experiment config (YAML)")->required();
  sweep_cmd->add_option("--vary", sweep.vary, "KEY=V1,V2,... (repeatable: the grid is the product)")->required()->allow_extra_args(false);
  sweep_cmd->add_option("--metric", sweep.metric, "the metric gathered (default the first evaluator's)");
  sweep_cmd->add_option("--out", sweep.out_dir, "output directory (default runs/sweep/<config name>)");
  sweep_cmd->add_flag("--force", sweep.force, "replace the sweep already in --out");
  sweep_cmd->add_option("--set", sweep.overrides, "override a config key of every point (repeatable)")->allow_extra_args(false);

  auto* schema_cmd = app.add_subcommand("schema", "print the config reference (Markdown)");

  ebm::experiments::RbmBenchArguments rbm;
  auto* bench_cmd = app.add_subcommand("bench", "benchmarks printing one JSON line");
  bench_cmd->require_subcommand(1);
  auto* bench_rbm = bench_cmd->add_subcommand("rbm", "CD-k training steps of a Bernoulli RBM");
  bench_rbm->add_option("--visible", rbm.visible)->check(integer_in(1));
  bench_rbm->add_option("--hidden", rbm.hidden)->check(integer_in(1));
  bench_rbm->add_option("--batch", rbm.batch)->check(integer_in(1));
  bench_rbm->add_option("--k", rbm.k, "Gibbs steps")->check(integer_in(1));
  bench_rbm->add_option("--threads", rbm.threads, "0 = all cores")->check(integer_in(0));
  bench_rbm->add_option("--steps", rbm.steps, "timed steps")->check(integer_in(1));
  bench_rbm->add_option("--dtype", rbm.dtype)->check(CLI::IsMember({"float32", "float64"}));
  bench_rbm->add_option("--device", rbm.device, "cpu or cuda (refused where LibTorch sees no GPU)")->check(CLI::IsMember({"cpu", "cuda"}));
  bench_rbm->add_option("--cuda-graphs", rbm.cuda_graphs, "train.cuda_graphs: the Gibbs steps as a CUDA graph (auto | on | off)")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  bench_rbm->add_flag("--floor", rbm.floor,
                      "also time the step's GEMM floor (its products alone) between blocks of 50 steps; CPU only");

  ebm::experiments::LangevinBenchArguments langevin;
  auto* bench_langevin = bench_cmd->add_subcommand("langevin", "unadjusted Langevin steps on an MLP energy");
  bench_langevin->add_option("--dim", langevin.dim)->check(integer_in(1));
  bench_langevin->add_option("--width", langevin.width)->check(integer_in(1));
  bench_langevin->add_option("--depth", langevin.depth, "linear layers, the output layer included")->check(integer_in(1));
  bench_langevin->add_option("--chains", langevin.chains)->check(integer_in(1));
  bench_langevin->add_option("--steps", langevin.steps, "timed steps")->check(integer_in(1));
  bench_langevin->add_option("--threads", langevin.threads, "0 = all cores")->check(integer_in(0));
  bench_langevin->add_option("--device", langevin.device, "cpu or cuda (refused where LibTorch sees no GPU)")->check(CLI::IsMember({"cpu", "cuda"}));

  ebm::experiments::ConvnetBenchArguments convnet;
  auto* bench_convnet = bench_cmd->add_subcommand(
      "convnet", "training steps of a config's ConvNet energy (replay chains, Langevin), as convnet_torch.py");
  bench_convnet->add_option("--config", convnet.config, "the experiment whose step is timed");
  bench_convnet->add_option("--batch", convnet.batch, "batch size and negative chains")->check(integer_in(1));
  bench_convnet->add_option("--base-channels", convnet.base_channels, "model.base_channels")->check(integer_in(1));
  bench_convnet->add_option("--langevin-steps", convnet.langevin_steps, "sampler.steps: Langevin steps per training step")->check(integer_in(1));
  bench_convnet->add_option("--steps", convnet.steps, "timed steps (after as many warm-up steps)")->check(integer_in(1));
  bench_convnet->add_option("--threads", convnet.threads, "0 = all cores")->check(integer_in(0));
  bench_convnet->add_option("--device", convnet.device, "cpu or cuda (refused where LibTorch sees no GPU)")->check(CLI::IsMember({"cpu", "cuda"}));
  bench_convnet->add_option("--cuda-graphs", convnet.cuda_graphs, "train.cuda_graphs: auto | on | off")
      ->check(CLI::IsMember({"auto", "on", "off"}));

  ebm::experiments::ObjectivesBenchArguments objectives;
  auto* bench_objectives = bench_cmd->add_subcommand("objectives", "training steps of exact, sliced and denoising score matching");
  bench_objectives->add_option("--dims", objectives.dims, "data dimensions, comma-separated")->delimiter(',')->check(integer_in(1));
  bench_objectives->add_option("--width", objectives.width)->check(integer_in(1));
  bench_objectives->add_option("--depth", objectives.depth, "linear layers, the output layer included")->check(integer_in(1));
  bench_objectives->add_option("--batch", objectives.batch)->check(integer_in(1));
  bench_objectives->add_option("--steps", objectives.steps, "at least this many timed steps (and half a second)")->check(integer_in(1));
  bench_objectives->add_option("--threads", objectives.threads, "0 = all cores")->check(integer_in(0));

  // CLI11 would say only "A subcommand is required" for `ebm bench bogus`.
  if (argc > 2 && std::string(argv[1]) == "bench" && argv[2][0] != '-') {
    std::string names;
    bool known = false;
    for (const CLI::App* bench : bench_cmd->get_subcommands({})) {
      names += (names.empty() ? "" : ", ") + bench->get_name();
      known = known || bench->get_name() == argv[2];
    }
    if (!known) {
      spdlog::error("bench: no benchmark '{}' (there are: {})", argv[2], names);
      return 2;
    }
  }
  // CLI11 drops the empty entries of a comma-separated value (--k 1,,3 would be read as 1,3).
  std::set<std::string> listed;
  std::function<void(const CLI::App*)> collect_listed = [&](const CLI::App* command) {
    for (const CLI::Option* option : command->get_options()) {
      if (option->get_delimiter() != '\0') listed.insert(option->get_name());
    }
    for (const CLI::App* sub : command->get_subcommands({})) collect_listed(sub);
  };
  collect_listed(&app);
  for (int i = 1; i < argc; ++i) {
    const std::string token = argv[i];
    const auto equals = token.find('=');
    const std::string flag = token.substr(0, equals);
    if (!listed.count(flag) || (equals == std::string::npos && i + 1 == argc)) continue;
    const std::string list = equals != std::string::npos ? token.substr(equals + 1) : argv[i + 1];
    if (!list.empty() && (list.find(",,") != std::string::npos || list.front() == ',' || list.back() == ',')) {
      spdlog::error("{} {}: an entry of the list is empty; give numbers separated by single commas", flag, list);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    // An option given an empty value (--out '') is a mistake, not a request for its default.
    std::function<void(const CLI::App*)> refuse_empty_values = [&](const CLI::App* command) {
      for (const CLI::Option* option : command->get_options()) {
        if (option->count() == 0 || option->get_type_size() == 0) continue;
        for (const auto& value : option->results()) {
          if (value.empty()) throw ebm::experiments::ConfigError(option->get_name() + " is empty: give it a value");
        }
      }
      for (const CLI::App* sub : command->get_subcommands()) refuse_empty_values(sub);
    };
    refuse_empty_values(&app);
    if (*train_cmd) {
      if (train.config_path.empty() == train.resume_dir.empty()) {
        throw ebm::experiments::ConfigError("train needs a CONFIG file or --resume DIR");
      }
      if (!train.resume_dir.empty() && train.force) {
        throw ebm::experiments::ConfigError("--force replaces a run with a new one; --resume continues one: give one of them");
      }
      return ebm::experiments::train_command(train);
    }
    if (*schema_cmd) {
      std::cout << ebm::experiments::schema_markdown(ebm::experiments::experiment_schema());
      return 0;
    }
    if (*reproduce_cmd) {
      const int given = reproduce.list + reproduce.all + !reproduce.target.empty();
      if (given == 0) throw ebm::experiments::ConfigError("reproduce needs one of: a NAME (or study file), --list, --all");
      if (given > 1) throw ebm::experiments::ConfigError("reproduce takes only one of: a NAME (or study file), --list, --all");
      return ebm::experiments::reproduce_command(reproduce);
    }
    if (*sweep_cmd) return ebm::experiments::sweep_command(sweep);
    if (*eval_cmd) {
      if (eval.run_dir.empty() == eval.model_file.empty()) throw ebm::experiments::ConfigError("eval needs --run DIR or --model FILE");
      const auto& fields = ebm::experiments::evaluator_registry().at(eval.metric).fields;
      std::string accepted;
      for (const auto& field : fields) {
        accepted += (accepted.empty() ? "--" : ", --") + field.name.substr(eval.metric.size() + 1);
      }
      std::replace(accepted.begin(), accepted.end(), '_', '-');
      for (const auto& [flag, value] : eval_flags) {
        if (eval_cmd->count("--" + flag) == 0) continue;
        std::string key = flag;
        std::replace(key.begin(), key.end(), '-', '_');
        const bool known = std::any_of(fields.begin(), fields.end(),
                                       [&](const auto& field) { return field.name == eval.metric + "_" + key; });
        if (!known) {
          throw ebm::experiments::ConfigError("--" + flag + " is not a setting of --metric " + eval.metric +
                                              (accepted.empty() ? " (it has none)" : " (its settings: " + accepted + ")"));
        }
        eval.settings[key] = value;
      }
      return ebm::experiments::eval_command(eval);
    }
    if (*phases_cmd) return ebm::experiments::phases_command(phases);
    if (*diagnose_cmd) return ebm::experiments::diagnose_command(diagnose);
    if (*sample_cmd) return ebm::experiments::sample_command(sample);
    if (*export_cmd) return ebm::experiments::export_command(exporting);
    if (*bench_rbm) return ebm::experiments::bench_rbm_command(rbm);
    if (*bench_langevin) return ebm::experiments::bench_langevin_command(langevin);
    if (*bench_convnet) return ebm::experiments::bench_convnet_command(convnet);
    if (*bench_objectives) return ebm::experiments::bench_objectives_command(objectives);
  } catch (const ebm::io::InputError& e) {
    spdlog::error("{}", e.what());
    return 2;
  } catch (const ebm::io::Interrupted& e) {
    spdlog::warn("{}", e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    spdlog::error("out of memory");
    return 1;
  } catch (const c10::Error& e) {
    if (const auto bytes = ebm::io::failed_allocation_bytes(e)) {  // the size, not LibTorch's source line
      spdlog::error("{}", ebm::io::out_of_memory_message(*bytes, "; a size in the config (model width, data rows, "
                                                                 "batch_size, chains) is too large for this machine"));
    } else {
      spdlog::error("{}", e.what_without_backtrace());
    }
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
