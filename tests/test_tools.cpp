// End to end through the `ebm` binary: the phase tool, the MCMC diagnosis tool and the benchmarks.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#include <set>
#include <sstream>

#include "workflow/system_info.h"
#include "reports/png.h"
#include "reports/safetensors.h"
#include "test_support.h"

namespace ebm::experiments {
using namespace reports;
namespace {

namespace fs = std::filesystem;

const std::string kQuick = "experiments/quickstart.yaml";

nlohmann::json estimator(const nlohmann::json& report, const std::string& name) {
  for (const auto& e : report["estimators"]) {
    if (e["name"] == name) return e;
  }
  ADD_FAILURE() << "no estimator " << name;
  return {};
}

// On a partly trained RBM whose modes are sharp, CD-1's chains barely leave the data, so its
// gradient is strongly biased; CD-100 goes further and is less biased.
TEST(PhasesTool, ReportsCdPcdAndTemperingAgainstTheExactGradient) {
  auto dir = testing::scratch_dir();
  auto train = testing::run_ebm("train " + kQuick + " --set train.steps=20000 --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const std::string phases = "phases --run '" + (dir / "run").string() + "' --k 1,100 --repeats 400 --burn-in 200 --out '" + (dir / "phases").string() + "'";
  auto result = testing::run_ebm(phases);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("estimator"), std::string::npos) << result.output;  // the table

  auto report = nlohmann::json::parse(testing::read_text(dir / "phases" / "phases.json"));
  std::set<std::string> names;
  for (const auto& e : report["estimators"]) {
    names.insert(e["name"].get<std::string>());
    for (const char* key : {"cosine_to_exact", "relative_bias", "relative_std", "relative_bias_noise"}) {
      ASSERT_TRUE(e.contains(key)) << e["name"] << " " << key;
    }
    EXPECT_LE(std::abs(e["cosine_to_exact"].get<double>()), 1.0);
  }
  EXPECT_EQ(names, (std::set<std::string>{"cd-1", "cd-100", "pcd-1", "pt-1"}));
  auto cd1 = estimator(report, "cd-1"), cd100 = estimator(report, "cd-100");
  EXPECT_GT(cd1["relative_bias"].get<double>(), 3 * cd1["relative_bias_noise"].get<double>());
  EXPECT_GT(cd1["relative_bias"].get<double>(), cd100["relative_bias"].get<double>());
  EXPECT_TRUE(estimator(report, "pt-1").contains("swap_rate"));
  ASSERT_EQ(report["parameters"].size(), 3u);
  EXPECT_EQ(report["parameters"][0]["name"], "weight");

  auto tensors = read_safetensors((dir / "phases" / "phases.safetensors").string());
  std::set<std::string> tensor_names;
  for (const auto& [name, t] : tensors) tensor_names.insert(name);
  EXPECT_TRUE(tensor_names.count("positive.weight"));
  EXPECT_TRUE(tensor_names.count("negative_exact.weight"));
  EXPECT_TRUE(tensor_names.count("negative_mean.cd-1.hidden.field"));
  auto picture = read_png((dir / "phases" / "phases.png").string());
  EXPECT_GT(picture.height(), 300);

  // A second run does not overwrite the first unless told to.
  const auto before = testing::read_text(dir / "phases" / "phases.json");
  auto again = testing::run_ebm(phases);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
  EXPECT_EQ(testing::read_text(dir / "phases" / "phases.json"), before);
}

TEST(PhasesTool, RefusesAModelTooLargeToEnumerate) {
  auto dir = testing::scratch_dir();
  auto result = testing::run_ebm("phases " + kQuick + " --set model.hidden=30 --set data.size=5 --set eval.exact_ll=false --out '" + (dir / "p").string() + "'");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("no exact negative phase"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(dir / "p" / "phases.json"));
}

}  // namespace
}  // namespace ebm::experiments

namespace ebm::experiments {
using namespace reports;
namespace {

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '{') rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

// The trained quickstart RBM has 32 sharp modes: Gibbs chains from different starts stay in different
// modes (R-hat far above 1), while parallel tempering moves them between modes.
TEST(DiagnoseTool, FlagsGibbsStuckInModesAndPassesParallelTempering) {
  auto dir = testing::scratch_dir();
  auto train = testing::run_ebm("train " + kQuick + " --set train.steps=50000 --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const std::string diagnose = "diagnose --run '" + (dir / "run").string() + "' --draws 2000 ";

  auto gibbs = testing::run_ebm(diagnose + "--out '" + (dir / "gibbs").string() + "'");
  ASSERT_EQ(gibbs.exit_code, 0) << gibbs.output;
  auto gibbs_rows = json_lines(testing::read_text(dir / "gibbs" / "diagnostics.jsonl"));
  ASSERT_EQ(gibbs_rows.size(), 4u);  // energy, two projections, summary
  EXPECT_EQ(gibbs_rows[0]["quantity"], "energy");
  EXPECT_EQ(gibbs_rows[1]["quantity"], "projection_0");
  EXPECT_GT(std::max(gibbs_rows[1]["rhat"].get<double>(), gibbs_rows[2]["rhat"].get<double>()), 1.1);
  EXPECT_FALSE(gibbs_rows[3]["converged"].get<bool>());
  EXPECT_EQ(json_lines(gibbs.output).size(), 4u);  // the same lines on stdout
  EXPECT_GT(read_png((dir / "gibbs" / "trace.png").string()).height(), 500);

  auto pt = testing::run_ebm(diagnose + "--set sampler.type=parallel_tempering --out '" + (dir / "pt").string() + "'");
  ASSERT_EQ(pt.exit_code, 0) << pt.output;
  auto pt_rows = json_lines(testing::read_text(dir / "pt" / "diagnostics.jsonl"));
  ASSERT_EQ(pt_rows.size(), 4u);
  for (int q = 0; q < 3; ++q) {
    EXPECT_LT(pt_rows[q]["rhat"].get<double>(), 1.05) << pt_rows[q];
    EXPECT_GT(pt_rows[q]["bulk_ess"].get<double>(), 10 * gibbs_rows[q]["bulk_ess"].get<double>()) << pt_rows[q];
  }
  EXPECT_GT(pt_rows[3]["swap_rate"].get<double>(), 0.1);

  auto again = testing::run_ebm(diagnose + "--out '" + (dir / "pt").string() + "'");
  EXPECT_EQ(again.exit_code, 2) << again.output;
}

}  // namespace
}  // namespace ebm::experiments

namespace ebm::experiments {
using namespace reports;
namespace {

// On the exact 8-Gaussians density, MALA chains from different starts settle in different
// modes: the energy looks converged (every mode has the same energy profile) while the
// projections reveal the chains disagree, which is why the tool reports both.
TEST(DiagnoseTool, ProjectionsCatchChainsStuckInSymmetricModesThatTheEnergyHides) {
  auto dir = testing::scratch_dir();
  auto result = testing::run_ebm("diagnose experiments/gmm8_langevin.yaml --set threads=1 --set model.type=data_density "
                                 "--set sampler.type=mala --set sampler.step_size=0.02 --out '" + (dir / "d").string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::vector<nlohmann::json> rows;
  std::istringstream in(testing::read_text(dir / "d" / "diagnostics.jsonl"));
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_LT(rows[0]["rhat"].get<double>(), 1.05);
  EXPECT_GT(std::max(rows[1]["rhat"].get<double>(), rows[2]["rhat"].get<double>()), 1.5);
  EXPECT_FALSE(rows[3]["converged"].get<bool>());
  EXPECT_GT(rows[3]["acceptance_rate"].get<double>(), 0.5);
}

// A 2-D neural energy: the exact negative phase comes from grid quadrature, and Langevin CD-k
// gets closer to it as k grows.
TEST(PhasesTool, NeuralEnergiesUseGridQuadrature) {
  auto dir = testing::scratch_dir();
  auto result = testing::run_ebm("phases experiments/gmm8_langevin.yaml --set threads=1 --k 1,100 --repeats 20 --burn-in 100 "
                                 "--out '" + (dir / "p").string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto report = nlohmann::json::parse(testing::read_text(dir / "p" / "phases.json"));
  EXPECT_EQ(report["exact"], "grid_quadrature");
  EXPECT_EQ(report["model"], "mlp");
  EXPECT_GT(estimator(report, "cd-1")["relative_bias"].get<double>(), estimator(report, "cd-100")["relative_bias"].get<double>());
  EXPECT_FALSE(estimator(report, "pcd-1").empty());
}

// Each benchmark prints one JSON line naming its device and LibTorch; --device cuda without a GPU
// is refused with exit 2.
TEST(Bench, EveryBenchmarkPrintsOneJsonLineWithItsDevice) {
  for (const std::string command :
       {"bench rbm --visible 20 --hidden 10 --batch 8 --steps 5 --threads 1",
        "bench langevin --chains 8 --steps 5 --threads 1",
        "bench convnet --batch 4 --base-channels 2 --langevin-steps 2 --steps 2 --threads 1"}) {
    auto result = testing::run_ebm(command + " --device cpu 2>/dev/null");
    ASSERT_EQ(result.exit_code, 0) << command << "\n" << result.output;
    auto line = nlohmann::json::parse(result.output);
    EXPECT_EQ(line["device"], "cpu") << command;
    EXPECT_TRUE(line.contains("libtorch")) << command;
    EXPECT_GT(line.contains("samples_per_s") ? line["samples_per_s"].get<double>() : line["steps_per_s"].get<double>(), 0)
        << command;
  }
  if (!torch::cuda::is_available()) {
    auto refused = testing::run_ebm("bench convnet --device cuda");
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("--device cuda: LibTorch sees no CUDA device here"), std::string::npos) << refused.output;
  }
}

// bench rbm records the Gibbs steps as a CUDA graph where ebm train would (train.cuda_graphs'
// rule): never on a CPU, where --cuda-graphs on is refused with the reason.
TEST(Bench, RbmGraphsItsGibbsStepsWhereTrainingWould) {
  auto result = testing::run_ebm("bench rbm --visible 20 --hidden 10 --batch 8 --steps 5 --threads 1 2>/dev/null");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(nlohmann::json::parse(result.output)["cuda_graph"], false);
  auto refused = testing::run_ebm("bench rbm --visible 20 --hidden 10 --batch 8 --steps 5 --cuda-graphs on");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--cuda-graphs on: device is cpu (CUDA graphs need device: cuda)"), std::string::npos)
      << refused.output;
}

// bench rbm --floor: the floor's two fractions are the step's speed over each floor, and the
// JSON names what ran the products; CPU only.
TEST(Bench, RbmFloorReportsTheFractionsOfBothFloors) {
  auto result = testing::run_ebm("bench rbm --visible 20 --hidden 10 --batch 8 --steps 120 --threads 1 --floor 2>/dev/null");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto line = nlohmann::json::parse(result.output);
  const double speed = line["samples_per_s"].get<double>();
  const auto& floor = line["floor"];
  for (const std::string kind : {"", "products_"}) {
    const double floor_speed = floor[kind + "samples_per_s"].get<double>();
    EXPECT_GT(floor_speed, 0) << kind;
    EXPECT_NEAR(floor[kind + "fraction"].get<double>(), speed / floor_speed, 1e-9 * speed / floor_speed) << kind;
  }
  const std::string products = line["products"];
  EXPECT_TRUE(products.rfind("oneDNN ", 0) == 0 || products == "LibTorch's BLAS") << products;
  auto refused = testing::run_ebm("bench rbm --floor --device cuda");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--floor: times CPU products; not with --device cuda"), std::string::npos) << refused.output;
}

// OpenBLAS's fallback for a processor it does not know is replaced by what the CPU can run;
// a core it chose knowingly, or a CPU without AVX2, is left alone.
TEST(BlasKernels, AFallbackCoreIsReplacedByWhatTheCpuRuns) {
  const CpuVectorUnits avx512{true, true}, avx2{true, false}, sse{false, false};
  EXPECT_EQ(blas_core_to_force("Prescott", avx512), "SkylakeX");
  EXPECT_EQ(blas_core_to_force("Prescott", avx2), "Haswell");
  EXPECT_EQ(blas_core_to_force("Sandybridge", avx2), "Haswell");
  EXPECT_EQ(blas_core_to_force("Prescott", sse), "");
  EXPECT_EQ(blas_core_to_force("Haswell", avx512), "");
  EXPECT_EQ(blas_core_to_force("Zen", avx2), "");
}

// End to end, without the variable: the kernels the benchmark reports fit this CPU (on a
// processor OpenBLAS does not know, only because the program restarted itself).
TEST(BlasKernels, TheProgramRunsKernelsThatFitTheCpu) {
  auto result = testing::run_ebm_in_shell("env -u OPENBLAS_CORETYPE '" + std::string(EBM_BINARY) +
                                          "' bench rbm --visible 8 --hidden 4 --batch 2 --steps 1 --threads 1 2>/dev/null");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string blas = nlohmann::json::parse(result.output)["blas"];
  if (blas.find("OpenBLAS") == std::string::npos) GTEST_SKIP() << "not OpenBLAS: " << blas;
  __builtin_cpu_init();
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) GTEST_SKIP() << "no AVX2 here";
  // OpenBLAS's configuration string names the core in use: no word of it is a fallback core.
  std::istringstream words(blas);
  for (std::string word; words >> word;) EXPECT_EQ(blas_core_to_force(word, CpuVectorUnits{true, false}), "") << blas;
}

}  // namespace
}  // namespace ebm::experiments
