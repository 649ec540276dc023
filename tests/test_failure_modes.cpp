// The failure-mode catalogue: every quick version reproduces its failure (ebm reproduce --quick
// exits 0 and its signature's figures meet the criterion, checked here again figure by figure,
// so a test fails when a failure stops being reproduced), the catalogue's names are the same in
// experiments/failure_modes/, in this file and in docs/FAILURE_MODES.md, and sweep and
// reproduce refuse bad input with one message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "test_support.h"

namespace ebm::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Every failure mode with the check of its signature's figures.
const std::map<std::string, std::function<void(const json&)>>& catalogue() {
  static const std::map<std::string, std::function<void(const json&)>> checks = {
      {"log_likelihood_underflow",
       [](const json& f) {
         EXPECT_NEAR(f["float32_product_zero_at"].get<double>(), f["float32_predicted"].get<double>(), 1);
         EXPECT_NEAR(f["float64_product_zero_at"].get<double>(), f["float64_predicted"].get<double>(), 1);
         EXPECT_GT(f["float64_product_zero_at"].get<int>(), f["float32_product_zero_at"].get<int>());
         EXPECT_TRUE(std::isfinite(f["sum_of_logs_at_end"].get<double>()));
       }},
      {"likelihood_estimates",
       [](const json& f) {
         ASSERT_EQ(f["models"].size(), 2u);
         bool above = false;
         for (const auto& [label, m] : f["models"].items()) {
           const double exact = m["exact_ll"].get<double>();
           const double repeats = static_cast<double>(m["forward_ais"]["repeats"].size());
           ASSERT_GE(repeats, 2) << label;
           // Forward AIS covers the exact figure.
           const auto& forward = m["forward_ais"];
           EXPECT_LE(std::abs(forward["ll"].get<double>() - exact), 2 * forward["spread"].get<double>() / std::sqrt(repeats) + 0.01)
               << label;
           // Reverse AIS from exact samples and RAISE stay below it in every repeat, and not vacuously far.
           for (const char* lower : {"reverse_ais_from_exact_samples", "raise"}) {
             const auto& e = m[lower];
             for (const auto& r : e["repeats"]) EXPECT_LE(r.get<double>(), exact + 2 * e["spread"].get<double>()) << label << " " << lower;
             EXPECT_GT(e["ll"].get<double>(), exact - 3) << label << " " << lower;
           }
           // Reverse AIS from data lands above it on some model: no lower bound.
           const auto& from_data = m["reverse_ais_from_data"];
           above |= from_data["ll"].get<double>() - exact > 2 * from_data["spread"].get<double>() / std::sqrt(repeats);
         }
         EXPECT_TRUE(above) << "reverse AIS from data stayed at or below the exact figure on every model";
       }},
      {"persistence_vs_short_run",
       [](const json& f) {
         const auto& short_run = f["short_run"]["by_length"];
         EXPECT_GT(short_run["4000"]["mmd2"].get<double>(), 2 * short_run["40"]["mmd2"].get<double>());
         for (const char* stable : {"persistent", "replay"}) {
           EXPECT_LT(2 * f[stable]["by_length"]["4000"]["mmd2"].get<double>(), short_run["4000"]["mmd2"].get<double>()) << stable;
         }
       }},
      {"phase_decomposition", [](const json& f) { EXPECT_LT(f["worst_relative_error"].get<double>(), 1e-6); }},
      {"cd_bias",
       [](const json& f) {
         for (const auto& [scale, row] : f["exact_relative_bias"].items()) {
           EXPECT_LT(row["10"].get<double>(), row["1"].get<double>()) << scale;
         }
         EXPECT_LT(f["exact_absolute_bias"]["scale 1"]["1"].get<double>(), f["exact_absolute_bias"]["scale 3"]["1"].get<double>());
         EXPECT_GT(f["cd1_from_ml"]["lost"].get<double>(), 0.01);
       }},
      {"cd_not_a_gradient",
       [](const json& f) {
         EXPECT_GT(f["cd1_asymmetry"].get<double>(), 0.05);
         EXPECT_LT(f["exact_gradient_asymmetry"].get<double>(), 1e-6);
       }},
      {"cd_divergence",
       [](const json& f) {
         const auto& run = f["runs"]["steps=1, lr=0.1"];
         EXPECT_GT(run["drop"].get<double>(), 0.3);
         EXPECT_LT(run["recon_xent_final"].get<double>(), run["recon_xent_at_best"].get<double>());
       }},
      {"spurious_modes",
       [](const json& f) {
         const auto& mass = f["off_data_mass"];
         for (const char* other : {"pcd", "pt", "exact"}) EXPECT_GT(mass["cd1"].get<double>(), 2 * mass[other].get<double>()) << other;
       }},
      {"centering",
       [](const json& f) {
         const auto ll = [&](const char* arm) { return f[arm]["late_mean_exact_ll"].get<double>(); };
         EXPECT_GT(ll("plain") - ll("plain_flipped"), 10);
         EXPECT_LT(std::abs(ll("centered") - ll("centered_flipped")), 2.5);
         EXPECT_GT(ll("centered_flipped"), ll("plain_flipped") + 10);
       }},
      {"energy_blowup",
       [](const json& f) {
         EXPECT_FALSE(f["energy_l2 0.1"].contains("diverged_at_step"));
         EXPECT_TRUE(f["energy_l2 0"].contains("diverged_at_step") ||
                     f["energy_l2 0"]["max_abs_mean_energy"].get<double>() > 10 * f["energy_l2 0.1"]["max_abs_mean_energy"].get<double>());
       }},
      {"gibbs_stuck",
       [](const json& f) {
         EXPECT_GT(f["gibbs"]["split_rhat"].get<double>(), 1.1);
         EXPECT_LT(f["parallel_tempering"]["split_rhat"].get<double>(), 1.01);
         EXPECT_NEAR(f["parallel_tempering"]["on_share"].get<double>(), f["exact_on_share"].get<double>(), 0.05);
         EXPECT_GT(std::abs(f["gibbs"]["on_share"].get<double>() - f["exact_on_share"].get<double>()), 0.1);
       }},
      {"persistent_lag",
       [](const json& f) {
         EXPECT_GT(f["lr 0.3"]["lag_ratio"].get<double>(), 1.5);
         EXPECT_GT(f["lr 0.3"]["lag_ratio"].get<double>(), f["lr 0.001"]["lag_ratio"].get<double>());
       }},
      {"score_matching_blindness",
       [](const json& f) {
         const double se = f["ml_standard_error"].get<double>();
         EXPECT_GT(f["sm"]["separation 10"]["rms_error"].get<double>(), 3 * f["ml"]["separation 10"]["rms_error"].get<double>());
         EXPECT_GT(f["sm"]["separation 10"]["rms_error"].get<double>(), f["sm"]["separation 2"]["rms_error"].get<double>());
         for (const auto& [separation, fit] : f["ml"].items()) EXPECT_LT(fit["rms_error"].get<double>(), 2.5 * se) << separation;
         EXPECT_GT(std::abs(f["neural"]["first_mode_share"].get<double>() - f["neural"]["exact"].get<double>()), 3 * se);
       }},
      {"score_matching_cost",
       [](const json& f) {
         EXPECT_GT(f["slope"]["score_matching"].get<double>(), 0.9);
         EXPECT_LT(f["slope"]["sliced_score_matching"].get<double>(), 0.5);
         EXPECT_LT(f["slope"]["denoising_score_matching"].get<double>(), 0.5);
         EXPECT_LT(f["gradient_vs_exact"]["sliced_score_matching"]["relative_bias"].get<double>(), 0.2);
       }},
      {"short_run_langevin",
       [](const json& f) {
         const auto& short_run = f["short_run"]["by_length"];
         EXPECT_GT(short_run["4000"]["mmd2"].get<double>(), 2 * short_run["40"]["mmd2"].get<double>());
         EXPECT_LT(2 * f["replay"]["by_length"]["4000"]["mmd2"].get<double>(), short_run["4000"]["mmd2"].get<double>());
         // The density half: the short-run model's grid log-likelihood far below the truth, the replay model's close.
         EXPECT_GT(f["short_run"]["density_gap"].get<double>(), 1.0);
         EXPECT_LT(2 * f["replay"]["density_gap"].get<double>(), f["short_run"]["density_gap"].get<double>());
       }},
      {"short_run_out_of_equilibrium",
       [](const json& f) {
         const auto& tv = f["short_run"]["tv_by_steps"];
         EXPECT_GT(tv["10000"].get<double>(), tv["5"].get<double>() + 0.05);
         const auto& pcd = f["pcd"]["tv_by_steps"];
         EXPECT_LE(pcd["10000"].get<double>(), pcd["5"].get<double>() + 0.02);
       }},
      {"mcmc_convergence",
       [](const json& f) {
         EXPECT_NEAR(f["gibbs_autocorrelation_time"]["measured"].get<double>(), 99.5, 0.25 * 99.5);
         EXPECT_LT(f["stuck_chains"]["largest_single_chain_split_rhat"].get<double>(), 1.1);
         EXPECT_GT(f["stuck_chains"]["split_rhat_across_chains"].get<double>(), 1.1);
         EXPECT_NEAR(f["random_walk_best"]["c"].get<double>(), 2.38, 1.2);
       }},
      {"langevin_discretisation_bias",
       [](const json& f) {
         EXPECT_LT(f["worst_ula_relative_error"].get<double>(), 0.02);
         EXPECT_LT(f["worst_mala_relative_error"].get<double>(), 0.02);
         EXPECT_GT(f["step 1.5"]["ula_variance"].get<double>(), 1.5);  // 1 / (1 - 1.5/4) = 1.6: the bias is there
         EXPECT_LT(f["step 1.5"]["mala_acceptance"].get<double>(), f["step 0.1"]["mala_acceptance"].get<double>());
       }},
      {"langevin_mixture_weights",
       [](const json& f) {
         EXPECT_NEAR(f["langevin_share"].get<double>(), f["share_at_start"].get<double>(), 0.05);
         EXPECT_NEAR(f["annealed_share"].get<double>(), f["exact_weight"].get<double>(), 0.04);
       }},
      {"nce_density_chasm",
       [](const json& f) {
         const auto& near = f["kl 0.5"]["standard_noise"];
         const auto& far = f["kl 50"]["standard_noise"];
         EXPECT_LT(std::max(near["mean_error"].get<double>(), near["log_z_error"].get<double>()), 0.1);
         EXPECT_GT(std::max(far["mean_error"].get<double>(), far["log_z_error"].get<double>()), 0.1);
         EXPECT_LT(f["worst_fitted_noise_error"].get<double>(), 0.1);
       }},
      {"objective_comparison",
       [](const json& f) {
         const double best = f["best_exact_ll"].get<double>();
         EXPECT_GE(f["runs"]["exact"]["final_exact_ll"].get<double>(), best - 0.1);
         EXPECT_LT(f["runs"]["cd1"]["final_exact_ll"].get<double>(), f["runs"]["exact"]["final_exact_ll"].get<double>() - 0.1);
       }}};
  return checks;
}

class QuickFailureMode : public ::testing::TestWithParam<std::string> {};

TEST_P(QuickFailureMode, ReproducesItsSignature) {
  const auto dir = scratch_dir();
  auto r = run_ebm("reproduce " + GetParam() + " --quick --threads 1 --out '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = json::parse(read_text(dir / "signature.json"));
  EXPECT_TRUE(s["reproduced"].get<bool>());
  EXPECT_TRUE(s["quick"].get<bool>());
  EXPECT_FALSE(s["criterion"].get<std::string>().empty());
  EXPECT_TRUE(fs::exists(s["picture"].get<std::string>())) << s["picture"];
  for (const auto& run : s["runs"]) EXPECT_TRUE(fs::exists(fs::path(run.get<std::string>()) / "checkpoint.pt")) << run;
  catalogue().at(GetParam())(s["figures"]);
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [name, check] : catalogue()) out.push_back(name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, QuickFailureMode, ::testing::ValuesIn(names()),
                         [](const auto& info) { return info.param; });

TEST(Catalogue, NamesAgreeAcrossConfigsTestsAndDocs) {
  std::vector<std::string> configs, documented;
  for (const auto& entry : fs::directory_iterator(fs::path(EBM_SOURCE_DIR) / "experiments" / "failure_modes")) {
    if (entry.path().extension() == ".yaml") configs.push_back(entry.path().stem().string());
  }
  std::sort(configs.begin(), configs.end());
  EXPECT_EQ(configs, names());
  const std::string docs = read_text(fs::path(EBM_SOURCE_DIR) / "docs" / "FAILURE_MODES.md");
  std::regex heading("\n## ([a-z0-9_]+)\n");
  for (std::sregex_iterator it(docs.begin(), docs.end(), heading), end; it != end; ++it) documented.push_back((*it)[1]);
  std::sort(documented.begin(), documented.end());
  EXPECT_EQ(documented, names());
  auto r = run_ebm("reproduce --list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& name : names()) EXPECT_NE(r.output.find(name + " "), std::string::npos) << name;
}

TEST(Reproduce, RefusesUnknownNamesAndOccupiedOutput) {
  const auto dir = scratch_dir();
  auto r = run_ebm("reproduce cd_bais --quick");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("'cd_bais' is not a failure mode of the catalogue; they are: cd_bias"), std::string::npos) << r.output;
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

}  // namespace
}  // namespace ebm::testing
