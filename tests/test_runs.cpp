// End to end through the `ebm` binary: a short quickstart run, resume equivalence, the run
// directory's files, AIS evaluation of a run against its exact figure, safetensors export, and
// refusal to overwrite a run; a run trained in memory leaves what its checkpoint holds.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "config/schema.h"
#include "reports/safetensors.h"
#include "test_support.h"
#include "workflow/trained_experiment.h"
#include "workflow/training_run.h"

namespace ebm::experiments {
using namespace reports;
namespace {

namespace fs = std::filesystem;

const std::string kQuick = "experiments/quickstart.yaml --set train.log_every=100 --set train.checkpoint_every=100";

using testing::expect_refused;
using testing::summary_of;

NamedTensors exported(const fs::path& run, const fs::path& file) {
  auto result = testing::run_ebm("export --run '" + run.string() + "' --out '" + file.string() + "'");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return read_safetensors(file.string());
}

// Trains the quickstart with `overrides` for 400 steps straight and as 200 + a resume to 400.
void expect_resumed_run_equals_uninterrupted_run(const std::string& overrides) {
  auto dir = testing::scratch_dir();
  const std::string train = "train " + kQuick + " " + overrides;
  auto straight = testing::run_ebm(train + " --set train.steps=400 --out '" + (dir / "straight").string() + "'");
  ASSERT_EQ(straight.exit_code, 0) << straight.output;
  auto half = testing::run_ebm(train + " --set train.steps=200 --out '" + (dir / "resumed").string() + "'");
  ASSERT_EQ(half.exit_code, 0) << half.output;
  auto resumed = testing::run_ebm("train --resume '" + (dir / "resumed").string() + "' --set train.steps=400");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;

  auto a = summary_of(dir / "straight"), b = summary_of(dir / "resumed");
  EXPECT_EQ(a["steps"], 400);
  EXPECT_EQ(b["steps"], 400);
  EXPECT_EQ(a["final"]["exact_ll"].get<double>(), b["final"]["exact_ll"].get<double>());
  EXPECT_EQ(a["best"]["exact_ll"].get<double>(), b["best"]["exact_ll"].get<double>());

  auto pa = exported(dir / "straight", dir / "a.safetensors"), pb = exported(dir / "resumed", dir / "b.safetensors");
  ASSERT_EQ(pa.size(), 3u);
  ASSERT_EQ(pb.size(), 3u);
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].first, pb[i].first);
    EXPECT_TRUE(pa[i].second.equal(pb[i].second)) << pa[i].first;
  }
  // One metrics row per log step, none repeated by the resume.
  std::ifstream metrics(dir / "resumed" / "metrics.jsonl");
  std::vector<int64_t> steps;
  for (std::string line; std::getline(metrics, line);) steps.push_back(nlohmann::json::parse(line)["step"]);
  EXPECT_EQ(steps, (std::vector<int64_t>{100, 200, 300, 400}));
}

TEST(Runs, ResumedRunEqualsUninterruptedRun) { expect_resumed_run_equals_uninterrupted_run(""); }

// The tempered replicas and the swap parity travel in the checkpoint too.
TEST(Runs, ResumedParallelTemperingRunEqualsUninterruptedRun) {
  expect_resumed_run_equals_uninterrupted_run("--set sampler.type=parallel_tempering --set sampler.temperatures=4");
}

// The studies measure the experiment they trained in memory: its model and the generators after
// the run (the samples picture drawn) must be those of the run reloaded from its checkpoint.
TEST(Runs, AfterARunTheModelAndGeneratorsAreThoseItsCheckpointHolds) {
  torch::set_num_threads(1);
  const auto dir = testing::scratch_dir() / "run";
  Config config = Config::load(std::string(EBM_SOURCE_DIR) + "/experiments/quickstart.yaml",
                               {"train.steps=300", "train.log_every=100"}, experiment_schema());
  Experiment trained = build_experiment(config, "quickstart");
  train_new_run(trained, dir.string(), /*replace=*/false, /*quiet=*/true);
  const auto draws_in_memory = torch::rand({16}, torch::kFloat64);
  int64_t step = 0;
  Experiment reloaded = load_trained_experiment(dir.string(), &step);
  const auto draws_reloaded = torch::rand({16}, torch::kFloat64);
  EXPECT_EQ(step, 300);
  EXPECT_TRUE(torch::equal(draws_in_memory, draws_reloaded));
  auto in_memory = trained.model->named_parameters();
  for (const auto& item : reloaded.model->named_parameters()) {
    EXPECT_TRUE(torch::equal(in_memory[item.key()], item.value())) << item.key();
  }
}

TEST(Runs, RunDirectoryHoldsConfigMetricsSummaryAndExport) {
  auto dir = testing::scratch_dir();
  auto result = testing::run_ebm("train " + kQuick + " --set train.steps=5000 --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("step 5000/5000 | loss"), std::string::npos) << result.output;
  auto config = testing::read_text(dir / "run" / "config.yaml");
  EXPECT_NE(config.find("steps: 5000"), std::string::npos) << config;
  EXPECT_NE(config.find("name: quickstart"), std::string::npos) << config;
  auto summary = summary_of(dir / "run");
  for (const char* key : {"exact_ll", "log_z", "loss", "energy_pos", "energy_neg", "steps_per_s"}) {
    EXPECT_TRUE(summary["final"].contains(key)) << key;
  }
  EXPECT_GE(summary["best"]["exact_ll"].get<double>(), summary["final"]["exact_ll"].get<double>());
  EXPECT_GT(summary["wall_s"].get<double>(), 0);
  // 5000 steps of PCD already beat the uniform model (-11.09 nats) by more than a nat
  // (about -9.0 for seed 1; the full quickstart reaches -3.7).
  EXPECT_GT(summary["best"]["exact_ll"].get<double>(), -10.0);

  // `ebm eval --metric ais` on the trained run: forward AIS and reverse AIS from exact samples
  // both land on the exact figure, each repeated; the line says which settings produced it.
  const std::string eval = "eval --run '" + (dir / "run").string() + "' --metric ";
  auto last_json_line = [](const testing::CommandResult& r) {  // the result; logs go before it
    const auto start = r.output.rfind("\n{") + 1;
    return nlohmann::json::parse(r.output.substr(start, r.output.find('\n', start) - start));
  };
  auto ais = testing::run_ebm(eval + "ais --chains 100 --betas 5000 --repeats 3");
  ASSERT_EQ(ais.exit_code, 0) << ais.output;
  const auto report = last_json_line(ais);
  EXPECT_EQ(report["settings"]["reverse"].get<std::string>(), "auto");
  EXPECT_EQ(report["settings"]["betas"].get<int64_t>(), 5000);
  EXPECT_EQ(report["settings"]["repeats"].get<int64_t>(), 3);
  EXPECT_EQ(report["ais_log_z_repeats"].size(), 3u);
  const double exact_ll = summary["final"]["exact_ll"].get<double>();
  EXPECT_NEAR(report["ais_ll"].get<double>(), exact_ll, 0.1) << report;
  EXPECT_NEAR(report["ais_ll_reverse"].get<double>(), exact_ll, 0.1) << report;
  EXPECT_FALSE(report.contains("ais_ll_reverse_from_data")) << report;
  EXPECT_EQ(testing::run_ebm(eval + "ais --burn-in -1").exit_code, 2);
  // RAISE from the same run: below the exact figure within its noise, and not far below.
  auto raise = testing::run_ebm(eval + "raise --betas 2000 --repeats 3");
  ASSERT_EQ(raise.exit_code, 0) << raise.output;
  const auto raised = last_json_line(raise);
  for (const auto& r : raised["raise_ll_repeats"]) {
    EXPECT_LT(r.get<double>(), exact_ll + 2 * raised["raise_ll_spread"].get<double>()) << raised;
  }
  EXPECT_GT(raised["raise_ll"].get<double>(), exact_ll - 0.5) << raised;
  // The schedule check doubles the betas from 20 until forward AIS moves less than its spread.
  auto check = testing::run_ebm(eval + "ais --betas 20 --repeats 3 --reverse off --check-schedule --max-betas 640");
  ASSERT_EQ(check.exit_code, 0) << check.output;
  const auto checked = last_json_line(check);
  const auto& levels = checked["schedule_check"]["levels"];
  ASSERT_GE(levels.size(), 2u) << checked;
  for (size_t i = 0; i < levels.size(); ++i) EXPECT_EQ(levels[i]["betas"].get<int64_t>(), 20 << i) << checked;
  EXPECT_EQ(checked["settings"]["betas"], levels.back()["betas"]);
  if (checked["schedule_check"]["settled"].get<bool>()) {
    const auto n = levels.size();
    EXPECT_LT(std::abs(levels[n - 1]["ais_ll"].get<double>() - levels[n - 2]["ais_ll"].get<double>()),
              std::max(levels[n - 1]["ais_ll_spread"].get<double>(), levels[n - 2]["ais_ll_spread"].get<double>()));
    EXPECT_EQ(checked["schedule_check"]["betas_enough"], levels[n - 2]["betas"]);
  } else {
    EXPECT_EQ(levels.back()["betas"].get<int64_t>(), 640);
  }
  expect_refused(testing::run_ebm(eval + "exact_ll --check-schedule"), "--check-schedule needs a metric with inverse temperatures");
  expect_refused(testing::run_ebm(eval + "ais --repeats 1 --check-schedule"), "--check-schedule needs --repeats of at least 2");

  auto tensors = exported(dir / "run", dir / "rbm.safetensors");
  ASSERT_EQ(tensors.size(), 3u);
  EXPECT_EQ(tensors[0].first, "weight");
  EXPECT_EQ(tensors[0].second.sizes(), (std::vector<int64_t>{16, 16}));
  EXPECT_EQ(tensors[1].first, "visible.field");
  EXPECT_EQ(tensors[2].first, "hidden.field");
  // The exported file carries its config: `ebm eval --model` gives the run's figure alone.
  auto from_file = testing::run_ebm("eval --model '" + (dir / "rbm.safetensors").string() + "' --metric exact_ll");
  ASSERT_EQ(from_file.exit_code, 0) << from_file.output;
  EXPECT_NEAR(last_json_line(from_file)["exact_ll"].get<double>(), exact_ll, 1e-9);
  EXPECT_EQ(last_json_line(from_file)["step"].get<int64_t>(), 5000);
  // So does a file written before the Bernoulli RBM was a pair of binary layers, which names the
  // fields by their former names (models/*.safetensors are such files).
  std::map<std::string, std::string> metadata;
  read_safetensors((dir / "rbm.safetensors").string(), &metadata);
  auto former = tensors;
  former[1].first = "visible_bias", former[2].first = "hidden_bias";
  write_safetensors((dir / "former.safetensors").string(), former, metadata);
  auto from_former = testing::run_ebm("eval --model '" + (dir / "former.safetensors").string() + "' --metric exact_ll");
  ASSERT_EQ(from_former.exit_code, 0) << from_former.output;
  EXPECT_EQ(last_json_line(from_former)["exact_ll"].get<double>(), last_json_line(from_file)["exact_ll"].get<double>());
  // A file without a config, or with a tensor the model lacks, is refused by name.
  write_safetensors((dir / "bare.safetensors").string(), tensors);
  expect_refused(testing::run_ebm("eval --model '" + (dir / "bare.safetensors").string() + "' --metric exact_ll"),
                 "bare.safetensors: holds no config");
  expect_refused(testing::run_ebm("eval --metric exact_ll"), "eval needs --run DIR or --model FILE");

  // A second run into the same directory is refused; nothing there is touched.
  auto before = testing::read_text(dir / "run" / "summary.json");
  auto again = testing::run_ebm("train " + kQuick + " --out '" + (dir / "run").string() + "'");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.output.find("already holds a run"), std::string::npos) << again.output;
  EXPECT_EQ(testing::read_text(dir / "run" / "summary.json"), before);
}

TEST(Safetensors, RoundTripsAndFollowsTheLayout) {
  auto dir = testing::scratch_dir();
  auto w = torch::randn({3, 5});
  auto b = torch::arange(4, torch::kFloat64);
  write_safetensors((dir / "t.safetensors").string(), {{"w", w}, {"b", b}}, {{"note", "x"}});
  auto bytes = testing::read_text(dir / "t.safetensors");
  uint64_t length;
  std::memcpy(&length, bytes.data(), 8);
  EXPECT_EQ(length % 8, 0u);
  auto header = nlohmann::json::parse(bytes.substr(8, length));
  EXPECT_EQ(header["w"]["dtype"], "F32");
  EXPECT_EQ(header["w"]["shape"], nlohmann::json({3, 5}));
  EXPECT_EQ(header["w"]["data_offsets"], nlohmann::json({0, 60}));
  EXPECT_EQ(header["b"]["data_offsets"], nlohmann::json({60, 92}));
  EXPECT_EQ(header["__metadata__"]["note"], "x");
  EXPECT_EQ(bytes.size(), 8 + length + 92);
  auto back = read_safetensors((dir / "t.safetensors").string());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(back[0].second.equal(w));
  EXPECT_TRUE(back[1].second.equal(b));
}

}  // namespace
}  // namespace ebm::experiments
