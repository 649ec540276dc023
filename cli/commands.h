// The `ebm` subcommands. Each returns the process exit code: 0 on success, 2 for a bad config,
// flag or input file (with one message naming it), 1 when the work itself fails.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ebm::experiments {

struct TrainArguments {
  std::string config_path;  // a YAML config, or empty with resume_dir
  std::string resume_dir;
  std::string out_dir;      // empty: runs/<name>
  bool force = false;
  std::vector<std::string> overrides;
};
int train_command(const TrainArguments& args);

struct ExportArguments {
  std::string run_dir, out_file;
  bool force = false;  // replace an existing --out (never a run's own file)
};
int export_command(const ExportArguments& args);

struct EvalArguments {
  std::string run_dir, model_file, metric;  // one of run_dir, model_file; metric: a registered evaluator
  // Settings of the metric's own keys given as flags: "betas" -> "20000" sets eval.METRIC_betas.
  std::map<std::string, std::string> settings;
  // Doubles the metric's betas until its estimate moves less than its spread over repeats, or
  // until max_betas (0: 16 times the first).
  bool check_schedule = false;
  int64_t max_betas = 0;
};
int eval_command(const EvalArguments& args);

// What the measuring tools (phases, diagnose) work on and where their results go.
struct ToolSource {
  std::string config_path, run_dir, out_dir;  // CONFIG or --run; out_dir empty: a default
  std::vector<std::string> overrides;
  bool force = false;
  int64_t threads = -1;  // -1: the config's
};

// `ebm phases`: positive and negative phases of one batch, and how far CD-k, PCD and parallel
// tempering estimates of the negative phase are from the exact one (docs/TOOLS.md).
struct PhasesArguments {
  ToolSource source;
  std::vector<int64_t> ks = {1, 3, 10, 30, 100};
  int64_t repeats = 500, burn_in = 1000, batch = 0, chains = 0, temperatures = 10;
  double min_beta = 0.1;
};
int phases_command(const PhasesArguments& args);

// `ebm diagnose`: runs the configured sampler on the model from several over-dispersed starts
// and reports R-hat, bulk and tail ESS and autocorrelation time for the energy and a few random
// projections, one JSON line each, with a trace plot.
struct DiagnoseArguments {
  ToolSource source;
  int64_t chains = 4, warmup = 200, draws = 1000, thin = 1, projections = 2;
  std::string init = "noise";  // noise | data
};
int diagnose_command(const DiagnoseArguments& args);

// `ebm sample`: n samples of a trained run's model from its sampler (or another), as CSV with a
// picture beside it.
struct SampleArguments {
  std::string run_dir, out_file, sampler;  // sampler empty: the run's own
  std::vector<std::string> overrides;
  int64_t n = 1000, steps = 1000;
  bool force = false;  // replace an existing CSV and picture (never a run's own file)
};
int sample_command(const SampleArguments& args);

// `ebm reproduce`: runs a failure mode of the catalogue (experiments/failure_modes/NAME.yaml) or
// a study file, writes signature.json, its picture and its runs; exit 0 when reproduced, 1 when
// not (docs/FAILURE_MODES.md).
struct ReproduceArguments {
  std::string target, out_dir;  // NAME or a study file
  bool quick = false, list = false, all = false, force = false;
  std::vector<std::string> overrides;
  int64_t threads = -1;  // -1: each experiment's own
};
int reproduce_command(const ReproduceArguments& args);
// The catalogue's directory (experiments/failure_modes, found from the working directory or
// beside the executable's build directory) and its failure modes' names, sorted.
std::string failure_mode_directory();
std::vector<std::string> failure_mode_names();

// `ebm sweep`: one training run per point of the grid of --vary values (experiments/sweep.h).
struct SweepArguments {
  std::string config_path, out_dir, metric;
  std::vector<std::string> vary, overrides;
  bool force = false;
};
int sweep_command(const SweepArguments& args);

struct RbmBenchArguments {
  int64_t visible = 784, hidden = 500, batch = 100, k = 1, threads = 0, steps = 200;
  std::string dtype = "float32", device = "cpu", cuda_graphs = "auto";
  bool floor = false;  // time the step's GEMM floor between blocks of steps
};
int bench_rbm_command(const RbmBenchArguments& args);

struct LangevinBenchArguments {
  int64_t dim = 2, width = 128, depth = 3, chains = 1000, steps = 300, threads = 0;
  std::string device = "cpu";
};
int bench_langevin_command(const LangevinBenchArguments& args);

// The training step of a config (by default experiments/fashion_convnet.yaml), as
// ../shared/bench/convnet_torch.py times it.
struct ConvnetBenchArguments {
  std::string config = "experiments/fashion_convnet.yaml", device = "cpu", cuda_graphs = "auto";
  int64_t batch = 32, base_channels = 16, langevin_steps = 20, steps = 100, threads = 0;
};
int bench_convnet_command(const ConvnetBenchArguments& args);

struct ObjectivesBenchArguments {
  std::vector<int64_t> dims = {2, 16, 128, 784};
  int64_t width = 128, depth = 3, batch = 128, steps = 5, threads = 0;
};
int bench_objectives_command(const ObjectivesBenchArguments& args);

}  // namespace ebm::experiments
