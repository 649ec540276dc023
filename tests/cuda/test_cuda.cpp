// The cuda label (`ctest -L cuda`): every registered sampler, objective (contrastive with each
// chain source) and evaluator runs on the GPU and agrees with the CPU statistically.
// - Samplers: per-unit means and second moments of 2000 chains after 20 steps from the same
//   starts and the same model; standard errors from the chains' spread.
// - Objectives: the gradient of the loss at the same parameters and batch, averaged over 24
//   evaluations; standard errors from their spread.
// - Evaluators: every metric at 4 seeds per device; standard errors from the seeds' spread.
// An estimate disagrees when |GPU - CPU| > 6 combined standard errors + 1e-3 relative (the
// relative part is float rounding, all that remains where the CPU result is deterministic).
// - Tools: a run trained with device=cuda, then `ebm eval` (exact and AIS), `phases`,
//   `diagnose` and `sample` on it.
// - CUDA graphs: the gibbs and langevin samplers recorded as a graph give the ungraphed results
//   from the same seed, and training with train.cuda_graphs on ends at the parameters of a run
//   without (GPU against GPU: the same kernels in the same order).
// Without a GPU every test is skipped with a message. EBM_TEST_DEVICE=cpu runs the same
// comparisons CPU against CPU, which checks the tests themselves.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>

#include "config/components.h"
#include "config/experiment.h"
#include "config/schema.h"
#include "samplers/graphed_sampler.h"
#include "test_support.h"
#include "trainers/trainer.h"

namespace ebm::experiments {
namespace {

torch::Device device_under_test() {
  const char* name = std::getenv("EBM_TEST_DEVICE");
  return torch::Device(name != nullptr ? name : "cuda");
}

#define SKIP_WITHOUT_GPU()                                                                        \
  if (device_under_test().is_cuda() && !torch::cuda::is_available())                               \
  GTEST_SKIP() << "no CUDA device here: the cuda label needs a GPU (EBM_TEST_DEVICE=cpu runs it " \
                  "CPU against CPU)"

const char* kBinary = "data: {type: bars_and_stripes, size: 3}\nmodel: {type: bernoulli_rbm, hidden: 4, init_std: 1}\n";
const char* kContinuous =
    "data: {type: eight_gaussians, train_size: 512, held_out: 256}\nmodel: {type: mlp, width: 16, depth: 2}\n"
    "sampler: {type: langevin}\n"
    "eval: {grid_resolution: 40, samples: 300}\n";

Experiment make(const std::string& yaml, std::vector<std::string> overrides, torch::Device device, int64_t seed) {
  overrides.push_back(std::string("device=") + (device.is_cuda() ? "cuda" : "cpu"));
  overrides.push_back("seed=" + std::to_string(seed));
  overrides.push_back("threads=2");
  return build_experiment(Config::parse(yaml, "cuda test", overrides, experiment_schema()), "cuda_test");
}

// The same model on both devices: `to` takes `from`'s parameters and buffers.
void copy_model(const Experiment& from, Experiment& to) {
  torch::NoGradGuard no_grad;
  auto a = from.model->parameters(), b = to.model->parameters();
  for (size_t i = 0; i < a.size(); ++i) b[i].copy_(a[i]);
  auto c = from.model->buffers(), d = to.model->buffers();
  for (size_t i = 0; i < c.size(); ++i) d[i].copy_(c[i]);
}

struct Estimate {
  torch::Tensor mean, se;  // float64, on the CPU
};

// Rows are independent draws of a vector statistic.
Estimate estimate(const torch::Tensor& rows) {
  auto r = rows.to(torch::kCPU, torch::kFloat64);
  return {r.mean(0), r.std(0) / std::sqrt(static_cast<double>(r.size(0)))};
}

void expect_agree(const Estimate& gpu, const Estimate& cpu, const std::string& what) {
  auto allowed = 6 * (gpu.se.pow(2) + cpu.se.pow(2)).sqrt() + 1e-3 * cpu.mean.abs() + 1e-6;
  auto excess = (gpu.mean - cpu.mean).abs() / allowed;
  const int64_t worst = excess.argmax().item<int64_t>();
  EXPECT_LT(excess[worst].item<double>(), 1.0)
      << what << ": element " << worst << " of " << excess.numel() << ": " << device_under_test() << " "
      << gpu.mean[worst].item<double>() << " +- " << gpu.se[worst].item<double>() << ", CPU "
      << cpu.mean[worst].item<double>() << " +- " << cpu.se[worst].item<double>();
}

TEST(Cuda, EverySamplerAgreesWithTheCpu) {
  SKIP_WITHOUT_GPU();
  for (const auto& c : sampler_registry().components()) {
    const bool binary = c.accepts.latent_variable;
    std::vector<std::string> overrides = {"sampler.type=" + c.name};
    if (c.accepts.gaussian) overrides.push_back("model.type=gaussian");
    const std::string yaml = binary ? kBinary : kContinuous;
    auto cpu = make(yaml, overrides, torch::kCPU, 1);
    auto gpu = make(yaml, overrides, device_under_test(), 1);
    copy_model(cpu, gpu);
    const int64_t chains = 2000, d = cpu.data->data().size(1);
    torch::manual_seed(7);
    auto starts = binary ? torch::bernoulli(torch::full({chains, d}, 0.5)) : torch::randn({chains, d});
    auto moments = [&](Experiment& e) {
      auto x = e.sampler->run(*e.model, starts.to(e.device, e.data->data().scalar_type()), 20).to(torch::kFloat64);
      return estimate(torch::cat({x, x.pow(2)}, 1));
    };
    expect_agree(moments(gpu), moments(cpu), "sampler " + c.name);
  }
}

struct ObjectiveCase {
  std::string label;
  std::vector<std::string> overrides;
  bool binary;  // on the RBM, else on the MLP
};

// Contrastive once per chain source on the RBM (Gibbs) and once on the MLP (Langevin); exact on
// the RBM (it enumerates); every other objective on the MLP unless it takes binary data only.
std::vector<ObjectiveCase> objective_cases() {
  std::vector<ObjectiveCase> cases;
  for (const auto& c : objective_registry().components()) {
    if (c.name == "contrastive") {
      for (const auto& source : chain_source_registry().names()) {
        cases.push_back({"contrastive/" + source, {"objective.type=contrastive", "objective.chain_source=" + source}, true});
      }
      cases.push_back({"contrastive/langevin", {"objective.type=contrastive"}, false});
    } else {
      cases.push_back({c.name, {"objective.type=" + c.name}, c.name == "exact" || !c.accepts.accepts(Domain::Continuous)});
    }
  }
  return cases;
}

TEST(Cuda, EveryObjectiveGradientAgreesWithTheCpu) {
  SKIP_WITHOUT_GPU();
  for (const auto& [name, overrides, binary] : objective_cases()) {
    const std::string yaml = binary ? kBinary : kContinuous;
    auto gradients = [&](Experiment& e, const Experiment& reference) {
      copy_model(reference, e);
      auto batch = reference.data->data().slice(0, 0, 64).to(e.device, e.data->data().scalar_type());
      std::vector<torch::Tensor> rows;
      auto params = e.model->parameters();
      for (const auto& p : e.objective->parameters()) params.push_back(p);
      for (int r = 0; r < 24; ++r) {
        for (auto& p : params) p.mutable_grad().reset();
        e.objective->compute(*e.model, batch).loss.backward();
        std::vector<torch::Tensor> flat;
        for (auto& p : params) flat.push_back(p.grad().defined() ? p.grad().flatten().to(torch::kCPU, torch::kFloat64)
                                                                 : torch::zeros({p.numel()}, torch::kFloat64));
        rows.push_back(torch::cat(flat));
      }
      return estimate(torch::stack(rows));
    };
    auto cpu = make(yaml, overrides, torch::kCPU, 1);
    auto gpu = make(yaml, overrides, device_under_test(), 2);
    expect_agree(gradients(gpu, cpu), gradients(cpu, cpu), "objective " + name);
  }
}

TEST(Cuda, EveryEvaluatorAgreesWithTheCpu) {
  SKIP_WITHOUT_GPU();
  const std::map<std::string, std::vector<std::string>> settings = {
      {"ais", {"eval.ais_chains=50", "eval.ais_betas=300", "eval.ais_repeats=2"}},
      {"raise", {"eval.raise_betas=300", "eval.raise_repeats=2"}}};
  for (const auto& c : evaluator_registry().components()) {
    // On the RBM unless it needs continuous data (a known density, a 2-D grid).
    const bool binary = c.accepts.accepts(Domain::Binary) && !c.accepts.known_density;
    std::vector<std::string> overrides = {"eval." + c.name + "=true"};
    if (settings.count(c.name)) overrides.insert(overrides.end(), settings.at(c.name).begin(), settings.at(c.name).end());
    const std::string yaml = binary ? kBinary : kContinuous;
    auto reference = make(yaml, overrides, torch::kCPU, 1);
    std::map<std::string, std::vector<double>> values[2];
    for (int on_gpu = 0; on_gpu < 2; ++on_gpu) {
      for (int64_t seed = 1; seed <= 4; ++seed) {
        auto e = make(yaml, overrides, on_gpu ? device_under_test() : torch::Device(torch::kCPU), seed);
        copy_model(reference, e);
        torch::manual_seed(seed);
        e.model->eval();
        for (const auto& evaluator : e.evaluators) {
          const auto metrics = evaluator->evaluate(*e.model, e.data->evaluation_split());
          for (const auto& [key, value] : metrics.items()) {
            if (value.is_number()) values[on_gpu][key].push_back(value.get<double>());
          }
        }
      }
    }
    ASSERT_FALSE(values[0].empty()) << "evaluator " << c.name << " reported nothing";
    for (const auto& [key, cpu_values] : values[0]) {
      ASSERT_EQ(values[1][key].size(), cpu_values.size()) << c.name << ": " << key;
      expect_agree(estimate(torch::tensor(values[1][key], torch::kFloat64).unsqueeze(1)),
                   estimate(torch::tensor(cpu_values, torch::kFloat64).unsqueeze(1)), "evaluator " + c.name + ": " + key);
    }
  }
}

// Whether runs on the device under test record graphs (a GPU and a CUDA build of LibTorch).
bool graphs_expected() { return device_under_test().is_cuda() && samplers::GraphedSampler::available(); }

TEST(Cuda, GraphedSamplersGiveTheUngraphedResults) {
  SKIP_WITHOUT_GPU();
  for (const bool binary : {true, false}) {
    auto e = make(binary ? kBinary : kContinuous, {"sampler.type=" + std::string(binary ? "gibbs" : "langevin"),
                                                   "train.cuda_graphs=off"},
                  device_under_test(), 3);
    samplers::GraphedSampler graphed(e.sampler);
    // 64 chains from the data's rows taken in turn (bars and stripes has 16): 64 and 32 chains
    // are two shapes, so two recordings.
    const auto rows = e.data->data();
    const auto x = rows.index_select(0, torch::arange(64, torch::dtype(torch::kLong).device(rows.device())) % rows.size(0)).to(e.device, rows.scalar_type());
    // Run 0 runs eagerly, run 1 records and replays, run 2 replays.
    for (int r = 0; r < 3; ++r) {
      torch::manual_seed(100 + r);
      const auto expected = e.sampler->run(*e.model, x, 7);
      torch::manual_seed(100 + r);
      const auto got = graphed.run(*e.model, x, 7);
      const std::string what = graphed.name() + " run " + std::to_string(r);
      if (binary) {
        EXPECT_TRUE(torch::equal(got, expected)) << what;
      } else {
        EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-5)) << what << ": largest difference "
                                                                << (got - expected).abs().max().item<double>();
      }
    }
    EXPECT_EQ(graphed.captures(), graphs_expected() ? 1 : 0) << graphed.name();
    // Two graphed runs from one seed give what the ungraphed sampler gives from it.
    auto expect_replays_match = [&](const torch::Tensor& chains, uint64_t seed, const std::string& when) {
      torch::manual_seed(seed);
      const auto expected = e.sampler->run(*e.model, chains, 7);
      for (int r = 0; r < 2; ++r) {
        torch::manual_seed(seed);
        const auto got = graphed.run(*e.model, chains, 7);
        EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-5)) << graphed.name() << " " << when << ", run " << r;
      }
    };
    // Another batch size records another graph.
    expect_replays_match(x.slice(0, 0, 32), 7, "at 32 chains");
    EXPECT_EQ(graphed.captures(), graphs_expected() ? 2 : 0) << graphed.name();
    // Parameters given new storage (as loading a state for a rollback does) are recorded again,
    // not read from where the old graph recorded them.
    {
      torch::NoGradGuard no_grad;
      for (auto& p : e.model->parameters()) p.set_(p.detach().clone() * 1.5);
    }
    expect_replays_match(x.slice(0, 0, 32), 9, "after new parameter storage");
    EXPECT_EQ(graphed.captures(), graphs_expected() ? 3 : 0) << graphed.name();
  }
}

TEST(Cuda, TrainingWithCudaGraphsEndsWhereTrainingWithoutDoes) {
  SKIP_WITHOUT_GPU();
  for (const std::string sampler : {"gibbs", "langevin"}) {
    auto trained = [&](const std::string& graphs) {
      const bool binary = sampler == "gibbs";
      auto e = make(binary ? kBinary : kContinuous,
                    {"sampler.type=" + sampler, "train.cuda_graphs=" + graphs, "train.steps=40", "train.log_every=20"},
                    device_under_test(), 4);
      EXPECT_EQ(dynamic_cast<samplers::GraphedSampler*>(e.sampler.get()) != nullptr, graphs == "auto" && graphs_expected());
      trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, {}, e.train_options);
      trainer.run();
      std::vector<torch::Tensor> flat;
      for (const auto& p : e.model->parameters()) flat.push_back(p.detach().flatten().to(torch::kCPU, torch::kFloat64));
      return torch::cat(flat);
    };
    const auto with = trained("auto"), without = trained("off");
    EXPECT_TRUE(torch::allclose(with, without, 1e-4, 1e-5))
        << sampler << ": largest parameter difference " << (with - without).abs().max().item<double>();
  }
}

TEST(Cuda, ToolsRunOnTheDevice) {
  SKIP_WITHOUT_GPU();
  auto dir = testing::scratch_dir();
  const std::string device = std::string(" --set device=") + (device_under_test().is_cuda() ? "cuda" : "cpu");
  const std::string config = (dir / "rbm.yaml").string();
  testing::write_text(config, std::string(kBinary) + "threads: 2\nsampler: {type: gibbs}\ntrain: {steps: 50, log_every: 25}\n"
                                                     "eval: {exact_ll: true}\n");
  auto train = testing::run_ebm("train '" + config + "' --out '" + (dir / "run").string() + "'" + device);
  ASSERT_EQ(train.exit_code, 0) << train.output;
  // The run's config says the device; eval follows it, the others are told it again.
  const std::string run = " --run '" + (dir / "run").string() + "'";
  for (const std::string& tool : {"eval" + run + " --metric exact_ll", "eval" + run + " --metric ais --chains 20 --betas 200",
                                 "phases" + run + device, "diagnose" + run + device,
                                 "sample" + run + " --n 100 --out '" + (dir / "s.csv").string() + "'" + device}) {
    auto result = testing::run_ebm(tool);
    EXPECT_EQ(result.exit_code, 0) << tool << "\n" << result.output;
  }
}

}  // namespace
}  // namespace ebm::experiments
