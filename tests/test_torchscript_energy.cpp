// Energies written in PyTorch (model type torchscript, ebm/torchscript_energy.h), with a module
// made by torch::jit in C++ (tests/support/scripted_energy.h): it scores as its forward says, its
// parameters are the module's own tensors under PyTorch's names, score matching trains it to the
// closed-form optimum, a run with it resumes bit-exactly (after a stop, and after SIGKILL with
// the user's file gone: the run keeps its own copy) and exports PyTorch's names, and every bad
// file is refused naming the file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <fstream>
#include <map>

#include "background_runs.h"
#include "ebm/torchscript_energy.h"
#include "io/input_error.h"
#include "reports/safetensors.h"
#include "support/scripted_energy.h"
#include "workflow/trained_experiment.h"
#include "test_support.h"

namespace ebm {
namespace {

namespace fs = std::filesystem;

TEST(TorchScriptEnergy, ScoresAsItsForwardWithThoseVeryTensorsUnderPyTorchsNames) {
  auto model = TorchScriptEnergy(TorchScriptEnergyOptions(testing::scripted_energy_file(2, 8), 2));
  auto p = model->named_parameters();
  std::vector<std::string> names;
  for (const auto& item : p) names.push_back(item.key());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"layer.bias", "layer.weight", "log_curvature", "out"}));
  const auto x = torch::randn({5, 2});
  auto by_hand = [&] {
    return torch::tanh(x.mm(p["layer.weight"].t()) + p["layer.bias"]).mv(p["out"]) +
           0.5 * torch::exp(p["log_curvature"]) * x.pow(2).sum(1);
  };
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(model->energy(x), by_hand(), 1e-6, 1e-6));
  // The optimiser's in-place updates are the module's: change a tensor, the energy follows.
  p["out"].mul_(-2);
  p["log_curvature"].add_(1);
  EXPECT_TRUE(torch::allclose(model->energy(x), by_hand(), 1e-6, 1e-6));
  // So does a change of dtype (nn::Module::to keeps each tensor and swaps its data).
  model->to(torch::kFloat64);
  EXPECT_EQ(model->energy(x.to(torch::kFloat64)).scalar_type(), torch::kFloat64);
  EXPECT_EQ(second_derivative_problem(*model), "");
}

// Exact score matching of E(x) = exp(s) |x - m|² / 2 on rows x_1..x_n has its optimum in closed
// form (Hyvärinen 2005): m = the rows' mean, exp(s) = D / mean |x - m|². A scripted quadratic trained
// full-batch by the framework's score matching lands there; the run resumed from its halfway
// checkpoint ends bit-identical to the straight one; the export carries PyTorch's names.
TEST(TorchScriptEnergy, ScoreMatchingTrainsItToTheClosedFormOptimumAndResumesExactly) {
  auto dir = testing::scratch_dir();
  torch::jit::Module quadratic("Quadratic");
  quadratic.register_parameter("m", torch::zeros({2}).requires_grad_(), false);
  quadratic.register_parameter("s", torch::zeros({1}).requires_grad_(), false);
  quadratic.define("def forward(self, x):\n    return 0.5 * torch.exp(self.s) * ((x - self.m) ** 2).sum(1)\n");
  quadratic.save((dir / "quadratic.pt").string());
  torch::manual_seed(5);
  const auto rows = (0.5 * torch::randn({2000, 2}, torch::kFloat64) + torch::tensor({1.0, -2.0}, torch::kFloat64));
  std::ofstream csv(dir / "gaussian.csv");
  csv.precision(17);
  for (int64_t i = 0; i < rows.size(0); ++i) csv << rows[i][0].item<double>() << "," << rows[i][1].item<double>() << "\n";
  csv.close();
  testing::write_text(dir / "fit.yaml",
                      "seed: 1\nthreads: 1\ndtype: float64\ndata: {type: file, path: '" + (dir / "gaussian.csv").string() +
                          "'}\nmodel: {type: torchscript, path: '" + (dir / "quadratic.pt").string() +
                          "'}\nobjective: {type: score_matching}\noptimizer: {type: sgd, lr: 0.02}\n"
                          "train: {steps: 800, batch_size: 2000, log_every: 400, checkpoint_every: 400}\n");
  const std::string fit = "train '" + (dir / "fit.yaml").string() + "' --out ";
  auto straight = testing::run_ebm(fit + "'" + (dir / "straight").string() + "'");
  ASSERT_EQ(straight.exit_code, 0) << straight.output;
  auto half = testing::run_ebm(fit + "'" + (dir / "resumed").string() + "' --set train.steps=400");
  ASSERT_EQ(half.exit_code, 0) << half.output;
  auto resumed = testing::run_ebm("train --resume '" + (dir / "resumed").string() + "' --set train.steps=800");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;

  auto parameters_of = [&](const std::string& run) {
    int64_t step = 0;
    auto e = experiments::load_trained_experiment((dir / run).string(), &step);
    EXPECT_EQ(step, 800);
    std::map<std::string, torch::Tensor> out;
    for (const auto& item : e.model->named_parameters()) out[item.key()] = item.value().detach().clone();
    return out;
  };
  auto fitted = parameters_of("straight"), again = parameters_of("resumed");
  for (const auto& [name, value] : fitted) EXPECT_TRUE(torch::equal(value, again[name])) << name;
  const auto mean = rows.mean(0);
  const double curvature = 2.0 / (rows - mean).pow(2).sum(1).mean().item<double>();  // about 4
  EXPECT_TRUE(torch::allclose(fitted["m"], mean, 0, 1e-4)) << fitted["m"] << mean;
  EXPECT_NEAR(std::exp(fitted["s"].item<double>()), curvature, 1e-4 * curvature);

  auto exported = testing::run_ebm("export --run '" + (dir / "straight").string() + "' --out '" + (dir / "m.safetensors").string() + "'");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("\"tensors\":{\"m\":[2],\"s\":[1]}"), std::string::npos) << exported.output;
}

// Persistent Langevin chains (PCD) on the 8 Gaussians: the chains, the optimiser and the
// generators all live in the checkpoint. A run killed with SIGKILL between checkpoints, its
// TorchScript file then deleted, resumes from its own copy (energy.pt) and ends bit-identical to
// an uninterrupted run: every metric row and every exported tensor.
TEST(TorchScriptEnergy, ARunKilledWithSigkillResumesBitIdenticalFromItsOwnCopyOfTheFile) {
  auto dir = testing::scratch_dir();
  const auto users_file = dir / "energy.pt";
  fs::copy_file(testing::scripted_energy_file(2, 16), users_file);
  testing::write_text(dir / "pcd.yaml",
                      "seed: 3\nthreads: 1\ndata: {type: eight_gaussians, train_size: 2000, held_out: 500}\n"
                      "model: {type: torchscript, path: '" + users_file.string() + "'}\n"
                      "sampler: {type: langevin, steps: 10, step_size: 0.01}\n"
                      "objective: {type: contrastive, chain_source: persistent, chains: 64}\n"
                      "optimizer: {type: adam, lr: 0.002}\n"
                      "train: {steps: 1500, batch_size: 64, log_every: 50, checkpoint_every: 50}\n");
  const std::string train = "train '" + (dir / "pcd.yaml").string() + "' --out ";
  auto reference = testing::run_ebm(train + "'" + (dir / "reference").string() + "'");
  ASSERT_EQ(reference.exit_code, 0) << reference.output;

  const auto run = dir / "killed";
  const pid_t pid = testing::start_ebm(train + "'" + run.string() + "'");
  bool killed = false;
  // Killed once the second checkpoint has been written (the first one's step is 50).
  while (!killed && waitpid(pid, nullptr, WNOHANG) == 0) {
    if (fs::exists(run / "metrics.jsonl") && testing::read_text(run / "metrics.jsonl").find("\"step\":100,") != std::string::npos) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  waitpid(pid, nullptr, 0);
  ASSERT_TRUE(killed) << "the run ended before the kill";
  ASSERT_TRUE(fs::exists(run / "checkpoint.pt"));
  ASSERT_TRUE(fs::exists(run / "energy.pt"));
  fs::remove(users_file);
  auto resumed = testing::run_ebm("train --resume '" + run.string() + "'");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(testing::metrics_without_timing(run), testing::metrics_without_timing(dir / "reference"));
  // The exported tensors (the files' metadata differ: each config names its own run's copy).
  auto export_of = [&](const fs::path& from) {
    auto result = testing::run_ebm("export --run '" + from.string() + "' --out '" + (from / "m.safetensors").string() + "'");
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return reports::read_safetensors((from / "m.safetensors").string());
  };
  const auto expected = export_of(dir / "reference"), got = export_of(run);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, expected[i].first);
    EXPECT_TRUE(torch::equal(got[i].second, expected[i].second)) << got[i].first;
  }
}

// The README's two commands: examples/python/scripted_mlp.py writes a PyTorch MLP energy (with
// Debian's python3-torch) that `ebm train` trains on the 8 Gaussians past a broad model, with
// PyTorch's parameter names in its export.
TEST(TorchScriptEnergy, TheExampleScriptsEnergyTrains) {
  if (testing::run_ebm_in_shell("/usr/bin/python3 -c 'import torch'").exit_code != 0) {
    GTEST_SKIP() << "python3-torch is not installed (scripts/setup installs it)";
  }
  auto dir = testing::scratch_dir();
  const auto file = (dir / "mlp.pt").string();
  auto made = testing::run_ebm_in_shell("/usr/bin/python3 examples/python/scripted_mlp.py --out '" + file + "'");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto run = testing::run_ebm("train experiments/gmm8_langevin.yaml --set threads=1 --set model.type=torchscript --set model.path='" +
                              file + "' --set train.steps=300 --set eval.grid_resolution=100 --set eval.samples=500 --out '" +
                              (dir / "run").string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // As the built-in MLP's reduced run (tests/test_neural_runs.cpp): past the uniform density on
  // the grid's square, -log(6.5^2) = -3.7 nats.
  EXPECT_GT(testing::summary_of(dir / "run")["final"]["grid_ll"].get<double>(), -3.7);
  auto exported = testing::run_ebm("export --run '" + (dir / "run").string() + "' --out '" + (dir / "m.safetensors").string() + "'");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("\"net.0.weight\":[128,2]"), std::string::npos) << exported.output;
  EXPECT_NE(exported.output.find("\"net.4.bias\":[1]"), std::string::npos) << exported.output;
}

TEST(TorchScriptEnergy, EveryBadFileIsRefusedNamingIt) {
  auto dir = testing::scratch_dir();
  auto refused = [&](const fs::path& file, const std::string& why) {
    try {
      TorchScriptEnergy(TorchScriptEnergyOptions(file.string(), 2));
      ADD_FAILURE() << file << " was accepted";
    } catch (const io::InputError& error) {
      const std::string message = error.what();
      EXPECT_EQ(message.rfind("'" + file.string() + "': ", 0), 0u) << message;
      EXPECT_NE(message.find(why), std::string::npos) << message;
    }
  };
  refused(dir / "missing.pt", "no such file");
  testing::write_text(dir / "damaged.pt", "not a zip archive at all");
  refused(dir / "damaged.pt", "not a TorchScript module this LibTorch");
  torch::jit::Module no_forward("NoForward");
  no_forward.define("def energy(self, x):\n    return x.sum(1)\n");
  no_forward.save((dir / "no_forward.pt").string());
  refused(dir / "no_forward.pt", "has no forward(x) method");
  torch::jit::Module rows_back("RowsBack");
  rows_back.define("def forward(self, x):\n    return x\n");
  rows_back.save((dir / "rows_back.pt").string());
  refused(dir / "rows_back.pt", "must map a batch [N, 2] to N floating energies [N]; on [2, 2] it returned Float [2, 2]");
  torch::jit::Module wrong_width("WrongWidth");
  wrong_width.register_parameter("w", torch::ones({3}), false);
  wrong_width.define("def forward(self, x):\n    return torch.matmul(x, self.w)\n");
  wrong_width.save((dir / "wrong_width.pt").string());
  refused(dir / "wrong_width.pt", "forward(x) failed on a batch of zeros [2, 2]");
  // Through the command line: exit 2, the key and the file named, nothing written.
  auto run = testing::run_ebm("train experiments/gmm8_langevin.yaml --set model.type=torchscript --set model.path='" +
                              (dir / "rows_back.pt").string() + "' --out '" + (dir / "run").string() + "'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("model.path"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("rows_back.pt"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir / "run"));
  // And the benchmark: a bad file refused the same way, a good one timed under its own name.
  testing::expect_refused(testing::run_ebm("bench langevin --threads 1 --torchscript '" + (dir / "missing.pt").string() + "'"),
                          "missing.pt': no such file");
  auto timed = testing::run_ebm("bench langevin --threads 1 --chains 8 --steps 5 --torchscript '" + testing::scripted_energy_file() + "'");
  EXPECT_EQ(timed.exit_code, 0) << timed.output;
  EXPECT_NE(timed.output.find("{\"impl\":\"ebm-torchscript\",\"bench\":\"langevin\""), std::string::npos) << timed.output;
}

}  // namespace
}  // namespace ebm
