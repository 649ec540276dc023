#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "datasets/dataset.h"
#include "ebm/layered_rbm.h"
#include "ebm/gemm.h"
#include "ebm/lattice_ising.h"
#include "ebm/mlp_energy.h"
#include "ebm/torchscript_energy.h"
#include "cli/command.h"
#include "cli/launch.h"
#include "distributed/world.h"
#include "config/config.h"
#include "config/experiment.h"
#include "config/schema.h"
#include "workflow/step_timer.h"
#include "workflow/system_info.h"
#include "samplers/block_gibbs.h"
#include "samplers/chain_source.h"
#include "samplers/checkerboard_gibbs.h"
#include "samplers/graphed_sampler.h"
#include "samplers/langevin.h"
#include "trainers/contrastive.h"
#include "trainers/optimizer.h"
#include "trainers/score_matching.h"
#include "trainers/trainer.h"

namespace ebm::experiments {

namespace {

struct RbmBenchArguments {
  int64_t visible = 784, hidden = 500, batch = 100, k = 1, threads = 0, steps = 200;
  std::string dtype = "float32", device = "cpu", cuda_graphs = "auto";
  bool floor = false;  // time the step's GEMM floor between blocks of steps
  int64_t nproc = 0;   // > 0: as this many data-parallel processes, the batch shared out
};

struct LangevinBenchArguments {
  int64_t dim = 2, width = 128, depth = 3, chains = 1000, steps = 300, threads = 0;
  std::string device = "cpu";
  std::string torchscript;  // a TorchScript energy file timed in place of the built-in MLP
  int64_t nproc = 0;        // > 0: as this many processes, the chains shared out
};

// The training step of a config (by default experiments/fashion_convnet.yaml), as
// ../shared/bench/convnet_torch.py times it.
struct ConvnetBenchArguments {
  std::string config = "experiments/fashion_convnet.yaml", device = "cpu", cuda_graphs = "auto";
  int64_t batch = 32, base_channels = 16, langevin_steps = 20, steps = 100, threads = 0;
};

// Checkerboard Gibbs sweeps of a periodic Ising lattice, as ../shared/bench/ising_torch.py times them.
struct IsingBenchArguments {
  int64_t side = 1024, dims = 2, sweeps = 200, threads = 0;
  double beta = 0.4406868;  // Onsager's critical coupling
  std::string device = "cpu";
};

struct ObjectivesBenchArguments {
  std::vector<int64_t> dims = {2, 16, 128, 784};
  int64_t width = 128, depth = 3, batch = 128, steps = 5, threads = 0;
};

// --nproc N: the benchmark as the N ranks of one job (cli/launch.h); their exit status.
std::optional<int> run_as_ranks(int64_t nproc) {
  if (nproc == 0) return std::nullopt;
  return launch_ranks(static_cast<int>(nproc), rank_arguments(static_cast<int>(nproc), ThreadsAs::flag));
}

// The job the environment describes (one of --nproc's ranks, or torchrun's); rank 0 reports.
std::shared_ptr<distributed::World> join_job() {
  auto world = distributed::World::from_environment();
  if (world && !world->leads()) spdlog::set_level(spdlog::level::warn);
  return world;
}

// The device a benchmark asked for; a clear error where it is not there.
torch::Device bench_device(const std::string& name) {
  if (name == "cuda" && !torch::cuda::is_available()) throw ConfigError("--device cuda: LibTorch sees no CUDA device here");
  return torch::Device(name);
}

// What a benchmark line says about where it ran.
nlohmann::ordered_json device_fields(const torch::Device& device) {
  nlohmann::ordered_json out = {{"device", device.str()}};
  if (device.is_cuda()) out["gpu"] = gpu_name();
  out["libtorch"] = TORCH_VERSION;
  return out;
}

// The GEMM floor of one CD-k step: its 2k+1 conditional products [batch, visible] x [visible,
// hidden] and 2 gradient products [visible, batch] x [batch, hidden], each timed alone as
// ../shared/bench/gemm_floor.py times them with LibTorch's own product (its BLAS), and as the RBM
// runs them (ebm/gemm.h). `bench rbm --floor` times a few rounds between every block of training
// steps, so that the step and its floor see the same machine within a fraction of a second.
class GemmFloor {
 public:
  GemmFloor(const RbmBenchArguments& a, torch::Dtype dtype)
      : k_(a.k), batch_(a.batch), data_(torch::rand({a.batch, a.visible}, dtype)),
        weight_(torch::rand({a.visible, a.hidden}, dtype)), hidden_(torch::rand({a.batch, a.hidden}, dtype)) {}

  void time(int rounds) {
    libtorch_s_ += seconds(rounds, [](const torch::Tensor& x, const torch::Tensor& y) { return torch::mm(x, y); });
    products_s_ += seconds(rounds, [](const torch::Tensor& x, const torch::Tensor& y) { return ebm::mm(x, y); });
    rounds_ += rounds;
  }
  void reset() { libtorch_s_ = products_s_ = 0, rounds_ = 0; }
  double libtorch_samples_per_s() const { return static_cast<double>(batch_ * rounds_) / libtorch_s_; }
  double products_samples_per_s() const { return static_cast<double>(batch_ * rounds_) / products_s_; }

 private:
  template <class Product>
  double seconds(int rounds, Product product) const {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r) {
      for (int64_t i = 0; i < 2 * k_ + 1; ++i) product(data_, weight_);
      for (int i = 0; i < 2; ++i) product(data_.t(), hidden_);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  int64_t k_, batch_;
  torch::Tensor data_, weight_, hidden_;
  double libtorch_s_ = 0, products_s_ = 0;
  int64_t rounds_ = 0;
};

constexpr int64_t kFloorBlockSteps = 50;  // training steps between two timings of the floor
constexpr int kFloorRounds = 5;           // floors of each kind timed there

// Times CD-k training steps of a Bernoulli RBM through the real training loop (Trainer,
// contrastive objective, Gibbs sampler, SGD), on random binary data of density 0.13 as in
// ../shared/bench/rbm_torch.py. FLOPs are counted as that script does: (1 + 2k + 2) products
// of 2 * batch * visible * hidden. With --floor, the GEMM floor is timed between blocks of steps
// (the block's log step included in its time, the floor's time in none).
int bench_rbm_command(const RbmBenchArguments& a) {
  if (a.floor && a.device != "cpu") throw ConfigError("--floor: times CPU products; not with --device " + a.device);
  if (a.floor && a.nproc > 0) throw ConfigError("--floor times one process's products; not with --nproc");
  if (const auto status = run_as_ranks(a.nproc)) return *status;
  const auto world = join_job();
  const int threads = set_threads(a.threads);
  const auto device = bench_device(a.device);
  spdlog::info("bench rbm: {}x{}, batch {}, CD-{}, {} threads, BLAS {}, on {}", a.visible, a.hidden,
               a.batch, a.k, threads, blas_description(), device.str());
  const auto dtype = a.dtype == "float64" ? torch::kFloat64 : torch::kFloat32;
  torch::manual_seed(0);
  datasets::Dataset data((torch::rand({a.batch * 10, a.visible}) < 0.13).to(device, dtype), "random_binary");
  std::optional<GemmFloor> floor;
  if (a.floor) floor.emplace(a, dtype);

  // The Gibbs steps as a CUDA graph as ebm train's train.cuda_graphs would have them.
  const std::string no_graphs =
      a.cuda_graphs == "off" ? "" : samplers::GraphedSampler::unavailable_because(samplers::BlockGibbsSampler(), device);
  if (a.cuda_graphs == "on" && !no_graphs.empty()) throw ConfigError("--cuda-graphs on: " + no_graphs);
  const bool graphed = a.cuda_graphs != "off" && no_graphs.empty();
  // One model and sampler for the warm-up and the timed run, so that a graph is recorded in the
  // warm-up (its two host waits) and only replayed in the timed steps.
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(a.visible, a.hidden));
  rbm->to(device, dtype);
  std::shared_ptr<samplers::Sampler> gibbs = std::make_shared<samplers::BlockGibbsSampler>();
  if (graphed) gibbs = std::make_shared<samplers::GraphedSampler>(gibbs);
  auto run = [&](int64_t steps) {
    auto objective = std::make_shared<trainers::ContrastiveObjective>(gibbs, std::make_shared<samplers::DataChainSource>(),
                                                                      trainers::ContrastiveOptions().sampler_steps(a.k));
    const int64_t block = floor ? std::min(steps, kFloorBlockSteps) : steps;
    trainers::Trainer trainer(rbm.ptr(), objective,
                              trainers::make_sgd(rbm->parameters(), torch::optim::SGDOptions(0.01), 0),
                              data, {}, trainers::TrainerOptions().steps(steps).batch_size(a.batch).log_every(block).world(world));
    if (floor) trainer.on_log([&](const trainers::Metrics&) { floor->time(kFloorRounds); });
    const auto summary = trainer.run();
    return static_cast<double>(summary.steps) / summary.wall_s;  // the log steps' time, not the floor's
  };
  run(10);  // warm-up: allocator, BLAS thread pool, oneDNN's kernels, the CUDA graph
  if (floor) floor->reset();
  const double steps_per_s = run(a.steps);
  const double flops_per_step = 2.0 * a.batch * a.visible * a.hidden * (1 + 2 * a.k + 2);
  nlohmann::ordered_json out = {{"impl", "ebm-cpp"},
                                {"bench", "rbm"},
                                {"visible", a.visible},
                                {"hidden", a.hidden},
                                {"batch", a.batch},
                                {"k", a.k},
                                {"dtype", a.dtype},
                                {"samples_per_s", steps_per_s * a.batch},
                                {"gflops", steps_per_s * flops_per_step / 1e9},
                                {"cuda_graph", graphed},
                                {"processes", world ? world->size() : 1},
                                {"threads", threads},
                                {"blas", blas_description()}};
  if (device.is_cpu() && dtype == torch::kFloat32) out["products"] = float32_cpu_gemm();
  if (floor) {
    // fraction: of the floor as gemm_floor.py defines it; products_fraction: of the floor of the
    // products this step runs, i.e. what the rest of the step costs.
    out["floor"] = {{"samples_per_s", floor->libtorch_samples_per_s()},
                    {"fraction", steps_per_s * a.batch / floor->libtorch_samples_per_s()},
                    {"products_samples_per_s", floor->products_samples_per_s()},
                    {"products_fraction", steps_per_s * a.batch / floor->products_samples_per_s()}};
  }
  out.update(device_fields(device));
  if (!world || world->leads()) std::cout << out.dump() << std::endl;
  return 0;
}

// Times unadjusted Langevin steps (ε = 0.01) of `chains` chains on a random SiLU MLP energy,
// as ../shared/bench/langevin_torch.py does: 20 warm-up steps, then `steps` timed ones.
int bench_langevin_command(const LangevinBenchArguments& a) {
  if (const auto status = run_as_ranks(a.nproc)) return *status;
  const auto world = join_job();
  const int processes = world ? world->size() : 1;
  if (a.chains % processes != 0) {
    throw ConfigError("--chains " + std::to_string(a.chains) + " does not split evenly over " + std::to_string(processes) + " processes");
  }
  const int64_t chains = a.chains / processes;  // this process's
  const int threads = set_threads(a.threads);
  const auto device = bench_device(a.device);
  const bool scripted = !a.torchscript.empty();
  spdlog::info("bench langevin: {} {}-{}x{}-1, {} chains, {} threads, on {}", scripted ? a.torchscript : "MLP", a.dim, a.width,
               a.depth - 1, a.chains, threads, device.str());
  torch::manual_seed(0);
  EnergyModelPtr energy;
  if (scripted) {
    energy = TorchScriptEnergy(TorchScriptEnergyOptions(a.torchscript, a.dim)).ptr();
  } else {
    energy = MLPEnergy(MLPEnergyOptions(a.dim, std::vector<int64_t>(static_cast<size_t>(a.depth - 1), a.width))).ptr();
  }
  energy->to(device);
  for (auto& p : energy->parameters()) p.requires_grad_(false);
  samplers::LangevinSampler langevin(samplers::LangevinOptions().step_size(0.01));
  auto x = langevin.run(*energy, torch::randn({chains, a.dim}).to(device), 20);
  x.sum().item<double>();  // a GPU finishes the warm-up before the clock starts
  if (world) world->barrier();  // and every process does
  const auto start = std::chrono::steady_clock::now();
  x = langevin.run(*energy, x, a.steps);
  x.sum().item<double>();  // and the timed steps before it stops
  if (world) world->barrier();  // on every process
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::ordered_json out = {{"impl", scripted ? "ebm-torchscript" : "ebm-cpp"},
                                {"bench", "langevin"},
                                {"dim", a.dim},
                                {"width", a.width},
                                {"depth", a.depth},
                                {"chains", a.chains},
                                {"steps_per_s", static_cast<double>(a.steps) / seconds},
                                {"chain_steps_per_s", static_cast<double>(a.steps * a.chains) / seconds},
                                {"processes", processes},
                                {"threads", threads}};
  out.update(device_fields(device));
  if (!world || world->leads()) std::cout << out.dump() << std::endl;
  return 0;
}

// Trains the config for 2 x steps through the real training loop and reports the second half:
// the first is the warm-up (allocator, BLAS or cuDNN plans). The trainer reads the loss terms
// at its log steps only on a GPU, so the timed half ends with one synchronisation.
int bench_convnet_command(const ConvnetBenchArguments& a) {
  const auto device = bench_device(a.device);
  const std::vector<std::string> overrides = {
      "device=" + a.device, "threads=" + std::to_string(a.threads), "model.base_channels=" + std::to_string(a.base_channels),
      "sampler.steps=" + std::to_string(a.langevin_steps), "objective.chains=" + std::to_string(a.batch),
      "train.batch_size=" + std::to_string(a.batch), "train.steps=" + std::to_string(2 * a.steps),
      "train.log_every=" + std::to_string(a.steps), "train.checkpoint_every=0", "train.cuda_graphs=" + a.cuda_graphs};
  auto e = build_experiment(Config::load(a.config, overrides, experiment_schema()), "bench");
  spdlog::info("bench convnet: {} (base channels {}, batch {}, {} Langevin steps), {} threads, on {}", a.config,
               a.base_channels, a.batch, a.langevin_steps, torch::get_num_threads(), device.str());
  trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, {}, e.train_options);
  std::vector<double> speeds;
  trainer.on_log([&](const trainers::Metrics& row) {
    if (row.contains("steps_per_s")) speeds.push_back(row["steps_per_s"].get<double>());
  });
  trainer.run();
  nlohmann::ordered_json out = {{"impl", "ebm-cpp"},          {"bench", "convnet"},         {"config", a.config},
                                {"batch", a.batch},           {"base_channels", a.base_channels},
                                {"langevin_steps", a.langevin_steps}, {"steps_per_s", speeds.back()},
                                {"cuda_graph", dynamic_cast<samplers::GraphedSampler*>(e.sampler.get()) != nullptr},
                                {"threads", torch::get_num_threads()}};
  out.update(device_fields(device));
  std::cout << out.dump() << std::endl;
  return 0;
}

// Times training steps (loss, backward, Adam) of exact, sliced and denoising score matching on
// an MLP energy of random Gaussian data, for each dimension: exact score matching needs one
// backward pass per dimension for the Hessian trace, the other two a fixed number.
// Bytes per second of a large copy (read and write counted), the best of three: the memory
// bandwidth a lattice too large for the caches would be bound by.
double copy_bandwidth() {
  auto from = torch::ones({int64_t{256} << 20}, torch::kInt8), to = torch::empty_like(from);
  double best = 0;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    to.copy_(from);
    best = std::max(best, 2.0 * static_cast<double>(from.numel()) /
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// Times checkerboard heat-bath sweeps of a side^dims periodic Ising lattice (J = 1, h = 0) at
// --beta, from random spins after 5 warm-up sweeps. On CPU a sweep streams the lattice's bytes
// (one per spin) through twice, reading every byte and writing half of them each time: 3 bytes
// per site update from memory when the lattice does not stay in the caches.
int bench_ising_command(const IsingBenchArguments& a) {
  const int threads = set_threads(a.threads);
  const auto device = bench_device(a.device);
  const LatticeIsing lattice(LatticeIsingOptions(std::vector<int64_t>(static_cast<size_t>(a.dims), a.side)));
  if (!lattice.bipartite()) throw ConfigError("--side " + std::to_string(a.side) + ": checkerboard Gibbs needs an even side");
  spdlog::info("bench ising: {}^{} periodic lattice, beta {}, {} threads, on {}", a.side, a.dims, a.beta, threads, device.str());
  torch::manual_seed(1);
  auto spins = lattice.random_states(1).to(device);
  samplers::checkerboard_gibbs(lattice, a.beta, spins, 5);
  if (device.is_cuda()) spins.sum().item<int64_t>();  // the warm-up finishes before the clock starts
  const auto start = std::chrono::steady_clock::now();
  samplers::checkerboard_gibbs(lattice, a.beta, spins, a.sweeps);
  const double magnetisation = std::abs(LatticeIsing::magnetisation(spins).item<double>());  // waits for a GPU
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double updates_per_s = static_cast<double>(lattice.sites()) * static_cast<double>(a.sweeps) / seconds;
  nlohmann::ordered_json out = {{"impl", "ebm-cpp"},
                                {"bench", "ising"},
                                {"side", a.side},
                                {"dims", a.dims},
                                {"sweeps", a.sweeps},
                                {"beta", a.beta},
                                {"threads", threads},
                                {"site_updates_per_s", updates_per_s},
                                {"seconds", seconds},
                                {"abs_magnetisation", magnetisation}};
  if (device.is_cpu()) {
    const double bandwidth = copy_bandwidth();
    out["lattice_bytes"] = lattice.sites();
    out["bytes_per_update"] = 3.0;
    out["copy_bandwidth_gb_s"] = bandwidth / 1e9;
    out["bandwidth_bound_updates_per_s"] = bandwidth / 3.0;
  }
  out.update(device_fields(device));
  std::cout << out.dump() << std::endl;
  return 0;
}

int bench_objectives_command(const ObjectivesBenchArguments& a) {
  const int threads = set_threads(a.threads);
  for (int64_t dim : a.dims) {
    for (const std::string name : {"score_matching", "sliced_score_matching", "denoising_score_matching"}) {
      torch::manual_seed(0);
      auto mlp = MLPEnergy(MLPEnergyOptions(dim, std::vector<int64_t>(static_cast<size_t>(a.depth - 1), a.width)));
      std::shared_ptr<trainers::Objective> objective;
      if (name == "score_matching") objective = std::make_shared<trainers::ExactScoreMatching>();
      if (name == "sliced_score_matching") objective = std::make_shared<trainers::SlicedScoreMatching>();
      if (name == "denoising_score_matching") objective = std::make_shared<trainers::DenoisingScoreMatching>();
      torch::optim::Adam adam(mlp->parameters(), torch::optim::AdamOptions(1e-4));
      auto data = torch::randn({a.batch, dim});
      auto step = [&] {
        adam.zero_grad();
        objective->compute(*mlp, data).loss.backward();
        adam.step();
      };
      const double seconds = seconds_per_step(step, a.steps);
      nlohmann::ordered_json out = {{"impl", "ebm-cpp"}, {"bench", "objectives"}, {"objective", name},
                                    {"dim", dim}, {"width", a.width}, {"depth", a.depth}, {"batch", a.batch},
                                    {"ms_per_step", 1e3 * seconds}, {"threads", threads}};
      std::cout << out.dump() << std::endl;
    }
  }
  return 0;
}

}  // namespace

Command add_bench(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "benchmarks printing one JSON line");
  bench->require_subcommand(1);

  auto rbm = std::make_shared<RbmBenchArguments>();
  auto* rbm_command = bench->add_subcommand("rbm", "CD-k training steps of a Bernoulli RBM");
  rbm_command->add_option("--visible", rbm->visible)->check(integer_in(1));
  rbm_command->add_option("--hidden", rbm->hidden)->check(integer_in(1));
  rbm_command->add_option("--batch", rbm->batch)->check(integer_in(1));
  rbm_command->add_option("--k", rbm->k, "Gibbs steps")->check(integer_in(1));
  rbm_command->add_option("--threads", rbm->threads, "0 = all cores")->check(integer_in(0));
  rbm_command->add_option("--steps", rbm->steps, "timed steps")->check(integer_in(1));
  rbm_command->add_option("--dtype", rbm->dtype)->check(CLI::IsMember({"float32", "float64"}));
  rbm_command->add_option("--device", rbm->device, "cpu or cuda (refused where LibTorch sees no GPU)")->check(CLI::IsMember({"cpu", "cuda"}));
  rbm_command->add_option("--cuda-graphs", rbm->cuda_graphs, "train.cuda_graphs: the Gibbs steps as a CUDA graph (auto | on | off)")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  rbm_command->add_option("--nproc", rbm->nproc, "as N data-parallel processes on this host, the batch shared out (threads: the cores shared out)")
      ->check(CLI::Range(1, 1024));
  rbm_command->add_flag("--floor", rbm->floor, "also time the step's GEMM floor (its products alone) between blocks of 50 steps; CPU only");

  auto langevin = std::make_shared<LangevinBenchArguments>();
  auto* langevin_command = bench->add_subcommand("langevin", "unadjusted Langevin steps on an MLP energy");
  langevin_command->add_option("--dim", langevin->dim)->check(integer_in(1));
  langevin_command->add_option("--width", langevin->width)->check(integer_in(1));
  langevin_command->add_option("--depth", langevin->depth, "linear layers, the output layer included")->check(integer_in(1));
  langevin_command->add_option("--chains", langevin->chains)->check(integer_in(1));
  langevin_command->add_option("--steps", langevin->steps, "timed steps")->check(integer_in(1));
  langevin_command->add_option("--threads", langevin->threads, "0 = all cores")->check(integer_in(0));
  langevin_command->add_option("--nproc", langevin->nproc, "as N processes on this host, the chains shared out (threads: the cores shared out)")
      ->check(CLI::Range(1, 1024));
  langevin_command->add_option("--device", langevin->device, "cpu or cuda (refused where LibTorch sees no GPU)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  langevin_command->add_option("--torchscript", langevin->torchscript,
                               "time this TorchScript energy (torch.jit.save; rows of --dim) in place of the built-in MLP; "
                               "--width and --depth then only label the output");

  auto convnet = std::make_shared<ConvnetBenchArguments>();
  auto* convnet_command = bench->add_subcommand(
      "convnet", "training steps of a config's ConvNet energy (replay chains, Langevin), as convnet_torch.py");
  convnet_command->add_option("--config", convnet->config, "the experiment whose step is timed");
  convnet_command->add_option("--batch", convnet->batch, "batch size and negative chains")->check(integer_in(1));
  convnet_command->add_option("--base-channels", convnet->base_channels, "model.base_channels")->check(integer_in(1));
  convnet_command->add_option("--langevin-steps", convnet->langevin_steps, "sampler.steps: Langevin steps per training step")
      ->check(integer_in(1));
  convnet_command->add_option("--steps", convnet->steps, "timed steps (after as many warm-up steps)")->check(integer_in(1));
  convnet_command->add_option("--threads", convnet->threads, "0 = all cores")->check(integer_in(0));
  convnet_command->add_option("--device", convnet->device, "cpu or cuda (refused where LibTorch sees no GPU)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  convnet_command->add_option("--cuda-graphs", convnet->cuda_graphs, "train.cuda_graphs: auto | on | off")
      ->check(CLI::IsMember({"auto", "on", "off"}));

  auto ising = std::make_shared<IsingBenchArguments>();
  auto* ising_command = bench->add_subcommand("ising", "checkerboard Gibbs sweeps of a periodic Ising lattice, as ising_torch.py");
  ising_command->add_option("--side", ising->side, "lattice side (even)")->check(integer_in(2));
  ising_command->add_option("--dims", ising->dims, "lattice dimensions")->check(CLI::Range(1, 4));
  ising_command->add_option("--sweeps", ising->sweeps, "timed sweeps")->check(integer_in(1));
  ising_command->add_option("--beta", ising->beta, "inverse temperature (default Onsager's critical 0.4406868)");
  ising_command->add_option("--threads", ising->threads, "0 = all cores")->check(integer_in(0));
  ising_command->add_option("--device", ising->device, "cpu or cuda (refused where LibTorch sees no GPU)")
      ->check(CLI::IsMember({"cpu", "cuda"}));

  auto objectives = std::make_shared<ObjectivesBenchArguments>();
  auto* objectives_command = bench->add_subcommand("objectives", "training steps of exact, sliced and denoising score matching");
  objectives_command->add_option("--dims", objectives->dims, "data dimensions, comma-separated")->delimiter(',')->check(integer_in(1));
  objectives_command->add_option("--width", objectives->width)->check(integer_in(1));
  objectives_command->add_option("--depth", objectives->depth, "linear layers, the output layer included")->check(integer_in(1));
  objectives_command->add_option("--batch", objectives->batch)->check(integer_in(1));
  objectives_command->add_option("--steps", objectives->steps, "at least this many timed steps (and half a second)")->check(integer_in(1));
  objectives_command->add_option("--threads", objectives->threads, "0 = all cores")->check(integer_in(0));

  return {bench, [=] {
            if (*rbm_command) return bench_rbm_command(*rbm);
            if (*langevin_command) return bench_langevin_command(*langevin);
            if (*convnet_command) return bench_convnet_command(*convnet);
            if (*ising_command) return bench_ising_command(*ising);
            return bench_objectives_command(*objectives);
          }};
}

}  // namespace ebm::experiments
