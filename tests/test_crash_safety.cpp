// Crash safety, proven by killing the process: SIGKILL before the first checkpoint, in the
// middle of a checkpoint write and between checkpoints; each run is then finished (--resume, or
// started again when no checkpoint was written) and must equal an uninterrupted run bit for bit.
// A checkpoint write that fails (a file-size limit standing in for a full disk) leaves the
// previous checkpoint intact and exits 1.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "background_runs.h"

namespace ebm::experiments {
namespace {

namespace fs = std::filesystem;
using testing::metrics_without_timing;
using testing::start_ebm;

// 16x400 RBM by PCD on bars and stripes: a checkpoint every 100 steps, each big enough (about
// 60 KB) that a write takes a measurable time.
const std::string kArgs = "experiments/quickstart.yaml --set model.hidden=400 --set train.steps=3000 "
                          "--set train.log_every=100 --set train.checkpoint_every=100 --set eval.exact_ll=false";

std::string exported(const fs::path& run) {
  auto result = testing::run_ebm("export --run '" + run.string() + "' --out '" + (run / "model.safetensors").string() + "'");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return testing::read_text(run / "model.safetensors");
}

// Finishes a killed run: --resume when it has a checkpoint, else a fresh start in the same place.
void finish(const fs::path& run) {
  const bool checkpointed = fs::exists(run / "checkpoint.pt");
  auto result = testing::run_ebm(checkpointed ? "train --resume '" + run.string() + "'"
                                              : "train " + kArgs + " --out '" + run.string() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
}

TEST(CrashSafety, RunsKilledAtAnyMomentFinishBitIdenticalToAnUninterruptedRun) {
  auto dir = testing::scratch_dir();
  auto reference = testing::run_ebm("train " + kArgs + " --out '" + (dir / "reference").string() + "'");
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  const auto expected_metrics = metrics_without_timing(dir / "reference");
  const auto expected_model = exported(dir / "reference");

  std::mt19937 random(7);
  int before_first = 0, during_write = 0, between = 0;
  for (int trial = 0; trial < 8; ++trial) {
    const auto run = dir / ("killed-" + std::to_string(trial));
    const pid_t pid = start_ebm("train " + kArgs + " --out '" + run.string() + "'");
    // Trials 0-1: as soon as the run directory appears (before any checkpoint). Trials 2-4: the
    // moment a checkpoint's temporary file exists (mid-write). The rest: at a random time.
    // The random moment is counted from the first checkpoint, so that it falls between two.
    const double random_delay = std::uniform_real_distribution<double>(0.0, 0.2)(random);
    std::optional<std::chrono::steady_clock::time_point> first_checkpoint;
    bool killed = false;
    while (!killed && waitpid(pid, nullptr, WNOHANG) == 0) {
      if (!first_checkpoint && fs::exists(run / "checkpoint.pt")) first_checkpoint = std::chrono::steady_clock::now();
      const bool now = trial < 2   ? fs::exists(run / "config.yaml")
                       : trial < 5 ? fs::exists(run / "checkpoint.pt.tmp")
                                   : first_checkpoint && std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                                                       *first_checkpoint).count() > random_delay;
      if (now) {
        kill(pid, SIGKILL);
        killed = true;
        const bool checkpointed = fs::exists(run / "checkpoint.pt");
        if (trial < 2 && !checkpointed) ++before_first;
        if (trial >= 2 && trial < 5) ++during_write;
        if (trial >= 5 && checkpointed) ++between;
      }
    }
    waitpid(pid, nullptr, 0);
    SCOPED_TRACE("trial " + std::to_string(trial));
    ASSERT_TRUE(killed) << "the run ended before the kill";
    // A kill leaves no torn file behind: every metric row parses, a checkpoint loads.
    if (fs::exists(run / "metrics.jsonl")) {
      EXPECT_NO_THROW(metrics_without_timing(run));
    }
    finish(run);
    EXPECT_FALSE(fs::exists(run / "checkpoint.pt.tmp"));
    EXPECT_EQ(metrics_without_timing(run), expected_metrics);
    EXPECT_EQ(exported(run), expected_model);
  }
  EXPECT_EQ(before_first, 2);
  EXPECT_EQ(during_write, 3);
  EXPECT_GE(between, 1);
}

TEST(CrashSafety, AFailedCheckpointWriteKeepsThePreviousOneAndExitsOne) {
  auto dir = testing::scratch_dir();
  const auto run = dir / "run";
  const std::string args = "experiments/quickstart.yaml --set train.steps=2000 --set train.checkpoint_every=1000";
  ASSERT_EQ(testing::run_ebm("train " + args + " --out '" + run.string() + "'").exit_code, 0);
  const auto checkpoint = testing::read_text(run / "checkpoint.pt");
  ASSERT_GT(checkpoint.size(), 8192u);
  // A file-size limit of 8 KiB: the metric rows still fit, the checkpoint does not.
  auto limited = testing::run_ebm_in_shell("ulimit -f 8; '" + std::string(EBM_BINARY) + "' train --resume '" +
                                           run.string() + "' --set train.steps=4000");
  EXPECT_EQ(limited.exit_code, 1) << limited.output;
  EXPECT_NE(limited.output.find("cannot write " + (run / "checkpoint.pt").string() + ": File too large"), std::string::npos)
      << limited.output;
  EXPECT_EQ(limited.output.find("terminate called"), std::string::npos);
  EXPECT_EQ(testing::read_text(run / "checkpoint.pt"), checkpoint);
  EXPECT_FALSE(fs::exists(run / "checkpoint.pt.tmp"));
  // The run is still resumable from its intact checkpoint.
  auto resumed = testing::run_ebm("train --resume '" + run.string() + "' --set train.steps=4000");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(testing::summary_of(run)["steps"], 4000);
}

}  // namespace
}  // namespace ebm::experiments
