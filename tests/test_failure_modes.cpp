// The failure-mode catalogue: every quick version reproduces its failure (ebm reproduce --quick
// exits 0 and the study's judge, run again here on signature.json's figures, finds every clause
// of its criterion met, so a test fails when a failure stops being reproduced), every failure
// mode is documented and names a registered study type, and sweep and reproduce refuse bad
// input with one message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "experiments/catalogue.h"
#include "experiments/study.h"
#include "background_runs.h"
#include "test_support.h"

namespace ebm::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The catalogue as the tests know it: a failure mode whose YAML vanished, or one added without
// its line here, fails NamesAgreeAcrossConfigsStudiesAndDocs.
const std::vector<std::string> kCatalogue = {
    "binary_encoding_of_categories", "cd_bias", "cd_divergence", "cd_not_a_gradient", "centering", "critical_slowing_down", "energy_blowup", "gibbs_stuck", "gibbs_with_gradients",
    "langevin_discretisation_bias", "langevin_mixture_weights", "likelihood_estimates", "log_likelihood_underflow",
    "mcmc_convergence", "nce_density_chasm", "objective_comparison", "persistence_vs_short_run", "persistent_lag",
    "phase_decomposition", "score_matching_blindness", "score_matching_cost", "short_run_langevin",
    "short_run_out_of_equilibrium", "spurious_modes"};

class QuickFailureMode : public ::testing::TestWithParam<std::string> {};

// The quick version reproduces its failure, and the study's own judge, applied here to the
// figures signature.json holds, finds every clause of the criterion met: the thresholds live
// with the study, so a test fails when a failure stops being reproduced.
TEST_P(QuickFailureMode, ReproducesItsSignature) {
  const auto dir = scratch_dir();
  auto r = run_ebm("reproduce " + GetParam() + " --quick --threads 1 --out '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = json::parse(read_text(dir / "signature.json"));
  EXPECT_TRUE(s["reproduced"].get<bool>());
  EXPECT_TRUE(s["quick"].get<bool>());
  EXPECT_TRUE(fs::exists(s["picture"].get<std::string>())) << s["picture"];
  for (const auto& run : s["runs"]) EXPECT_TRUE(fs::exists(fs::path(run.get<std::string>()) / "checkpoint.pt")) << run;
  const auto file = experiments::load_study(experiments::study_path(GetParam()), true, {});
  const auto& study = experiments::study_registry().at(file.get<std::string>("study.type"));
  const auto checks = study.make.judge(s["figures"], experiments::SectionConfig(file, "study"));
  ASSERT_FALSE(checks.empty());
  EXPECT_EQ(s["checks"].size(), checks.size());
  for (const auto& check : checks) EXPECT_TRUE(check.holds) << check.words;
  EXPECT_EQ(s["criterion"].get<std::string>(), experiments::criterion_of(checks));
}

INSTANTIATE_TEST_SUITE_P(Catalogue, QuickFailureMode, ::testing::ValuesIn(kCatalogue),
                         [](const auto& info) { return info.param; });

// The failure modes' YAML files are the catalogue above; each has its section in
// docs/FAILURE_MODES.md and names a registered study type, and every registered study type serves
// some failure mode.
TEST(Catalogue, NamesAgreeAcrossConfigsStudiesAndDocs) {
  const auto names = experiments::failure_mode_names();
  EXPECT_EQ(names, kCatalogue);
  std::vector<std::string> documented;
  const std::string docs = read_text(fs::path(EBM_SOURCE_DIR) / "docs" / "FAILURE_MODES.md");
  std::regex heading("\n## ([a-z0-9_]+)\n");
  for (std::sregex_iterator it(docs.begin(), docs.end(), heading), end; it != end; ++it) documented.push_back((*it)[1]);
  std::sort(documented.begin(), documented.end());
  EXPECT_EQ(documented, names);
  std::set<std::string> used;
  for (const auto& name : names) {
    used.insert(experiments::load_study(experiments::study_path(name), false, {}).get<std::string>("study.type"));
  }
  for (const auto& type : experiments::study_registry().names()) EXPECT_TRUE(used.count(type)) << type << " serves no failure mode";
  auto r = run_ebm("reproduce --list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& name : names) EXPECT_NE(r.output.find(name + " "), std::string::npos) << name;
}

TEST(Reproduce, RefusesUnknownNamesAndOccupiedOutput) {
  const auto dir = scratch_dir();
  auto r = run_ebm("reproduce cd_bais --quick");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("'cd_bais' is not a failure mode of the catalogue; they are: binary_encoding_of_categories, cd_bias"), std::string::npos) << r.output;
  r = run_ebm("reproduce cd_not_a_gradient --quick --threads 1 --out '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The runs a signature names are ordinary runs: anyone can export and evaluate them.
  const auto run = json::parse(read_text(dir / "signature.json"))["runs"][0].get<std::string>();
  r = run_ebm("export --run '" + run + "' --out '" + (dir / "model.safetensors").string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "model.safetensors"));
  r = run_ebm("eval --run '" + run + "' --metric exact_ll");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = run_ebm("reproduce cd_not_a_gradient --quick --out '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("already holds a study's results"), std::string::npos) << r.output;
  r = run_ebm("reproduce cd_not_a_gradient --quick --set study.stepp=1 --out '" + (dir / "other").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown key 'study.stepp' (did you mean 'study.step'?)"), std::string::npos) << r.output;
}

TEST(Reproduce, ExitsOneWhenTheSignatureIsNotSeen) {
  const auto dir = scratch_dir();
  // Demanding an asymmetry no expected update reaches: the study runs, the failure is "not seen".
  auto r = run_ebm("reproduce cd_not_a_gradient --quick --threads 1 --set study.min_asymmetry=1000 --out '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_FALSE(json::parse(read_text(dir / "signature.json"))["reproduced"].get<bool>());
}

TEST(Sweep, RunsTheGridAndWritesRowsTableAndPlot) {
  const auto dir = scratch_dir();
  write_text(dir / "base.yaml",
             "threads: 1\ndata: {type: bars_and_stripes, size: 2}\nmodel: {type: bernoulli_rbm, hidden: 3}\n"
             "train: {steps: 40, log_every: 20}\neval: {exact_ll: true}\n");
  auto r = run_ebm("sweep '" + (dir / "base.yaml").string() + "' --vary sampler.steps=1,3 --vary optimizer.lr=0.01,0.1 --out '" +
                   (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<json> rows;
  std::stringstream lines(read_text(dir / "out" / "sweep.jsonl"));
  for (std::string line; std::getline(lines, line);) rows.push_back(json::parse(line));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1]["sampler.steps"], "1");
  EXPECT_EQ(rows[1]["optimizer.lr"], "0.1");
  EXPECT_EQ(rows[1]["metric"], "exact_ll");
  for (const auto& row : rows) {
    EXPECT_TRUE(fs::exists(fs::path(row["run"].get<std::string>()) / "checkpoint.pt"));
    EXPECT_EQ(row["final"].get<double>(), summary_of(row["run"].get<std::string>())["final"]["exact_ll"].get<double>());
  }
  EXPECT_NE(read_text(dir / "out" / "sweep.md").find("| steps=3, lr=0.01 |"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "out" / "sweep.png"));
  // A bad value is refused before any run starts.
  r = run_ebm("sweep '" + (dir / "base.yaml").string() + "' --vary sampler.steps=1,0 --out '" + (dir / "bad").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--vary sampler.steps=0: sampler.steps = '0' is out of range"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "bad" / "runs" / "point-1" / "checkpoint.pt"));
  r = run_ebm("sweep '" + (dir / "base.yaml").string() + "' --vary sampler.steps --out '" + (dir / "bad2").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--vary sampler.steps: expected KEY=V1,V2,..."), std::string::npos) << r.output;
}

TEST(Sweep, RecordsAPointThatDivergesAndGoesOn) {
  const auto dir = scratch_dir();
  write_text(dir / "base.yaml",
             "threads: 1\ndata: {type: bars_and_stripes, size: 2}\nmodel: {type: bernoulli_rbm, hidden: 3}\n"
             "train: {steps: 40, log_every: 20, on_divergence: stop}\neval: {exact_ll: true}\n");
  // Free energies of this model are of order 1, so a limit of 0.001 trips the guard at the first log step.
  auto r = run_ebm("sweep '" + (dir / "base.yaml").string() + "' --vary train.max_abs_energy=0.001,1e6 --out '" +
                   (dir / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sweep 1/2: training diverged: max |E|"), std::string::npos) << r.output;
  std::vector<json> rows;
  std::stringstream lines(read_text(dir / "out" / "sweep.jsonl"));
  for (std::string line; std::getline(lines, line);) rows.push_back(json::parse(line));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].contains("diverged"));
  EXPECT_FALSE(rows[1].contains("diverged"));
  EXPECT_TRUE(std::isfinite(rows[1]["final"].get<double>()));
  EXPECT_NE(summary_of(rows[0]["run"].get<std::string>())["diverged"].get<std::string>().find("at step 20"), std::string::npos);
  EXPECT_NE(read_text(dir / "out" / "sweep.md").find("| max_abs_energy=0.001 | diverged at step 20 |"), std::string::npos)
      << read_text(dir / "out" / "sweep.md");
}

// `--jobs 2` trains the points in processes side by side and gathers the same sweep: the same
// rows (a diverged point's included) and, point by point, the same metric rows. A point whose
// process fails (here out of memory under the shell's 16 GiB limit) ends the sweep naming its
// log, after the other points have run.
TEST(Sweep, JobsTrainThePointsSideBySideAsOneAfterAnother) {
  const auto dir = scratch_dir();
  write_text(dir / "base.yaml",
             "threads: 1\ndata: {type: bars_and_stripes, size: 2}\nmodel: {type: bernoulli_rbm, hidden: 3}\n"
             "train: {steps: 40, log_every: 20, on_divergence: stop}\neval: {exact_ll: true}\n");
  std::vector<std::vector<json>> sweeps;
  for (const std::string jobs : {"1", "2"}) {
    auto r = run_ebm("sweep '" + (dir / "base.yaml").string() + "' --vary train.max_abs_energy=0.001,1e6 --vary optimizer.lr=0.01,0.1" +
                     " --jobs " + jobs + " --out '" + (dir / jobs).string() + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("training diverged: max |E|"), std::string::npos) << r.output;
    std::vector<json> rows;
    std::stringstream lines(read_text(dir / jobs / "sweep.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      rows.push_back(json::parse(line));
      rows.back().erase("wall_s");
      rows.back()["run"] = metrics_without_timing(rows.back()["run"].get<std::string>());
    }
    sweeps.push_back(rows);
  }
  ASSERT_EQ(sweeps[0].size(), 4u);
  EXPECT_TRUE(sweeps[0][0].contains("diverged"));
  EXPECT_EQ(sweeps[0], sweeps[1]);
  EXPECT_TRUE(fs::exists(dir / "2" / "runs" / "point-4.log"));

  auto failed = run_ebm_in_shell("ulimit -v 16777216; '" + std::string(EBM_BINARY) +
                                 "' sweep experiments/gmm8_langevin.yaml --vary model.width=8,100000 --set train.steps=20 "
                                 "--set train.log_every=10 --jobs 2 --out '" + (dir / "failed").string() + "'");
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("sweep 2/2 (width=100000): ebm train ended with status 1; see " + (dir / "failed").string() +
                               "/runs/point-2.log"), std::string::npos) << failed.output;
  EXPECT_TRUE(fs::exists(dir / "failed" / "runs" / "point-1" / "summary.json"));
}

}  // namespace
}  // namespace ebm::testing
