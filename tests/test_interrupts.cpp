// Ctrl-C keeps the work (io/interrupt.h). In process: a stop requested between two log steps, or
// during an evaluation, leaves a checkpoint from which the resumed trainer logs and trains
// exactly as an uninterrupted one, whatever checkpoint_every is. Through the command line:
// SIGINT, SIGTERM and SIGHUP at a random moment end `ebm train` with 130, 143 and 129, a
// summary.json marked interrupted and the command to resume, and the resumed run equals an
// uninterrupted one bit for bit; sampling and AIS stop too; a second signal ends at once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <random>
#include <thread>

#include "ebm/gaussian.h"
#include "io/interrupt.h"
#include "trainers/optimizer.h"
#include "trainers/score_matching.h"
#include "trainers/trainer.h"
#include "background_runs.h"

namespace ebm::trainers {
namespace {

namespace fs = std::filesystem;
using ebm::testing::metrics_without_timing;
using ebm::testing::start_ebm;

// Exact score matching of a Gaussian that asks to stop during its call number `at` (0: never),
// as a signal arriving inside a training step would.
class StoppingObjective : public ExactScoreMatching {
 public:
  explicit StoppingObjective(int64_t at) : at_(at) {}
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override {
    if (++calls_ == at_) io::request_interrupt(SIGINT);
    io::interruption_point("sampling");  // deferred: the step finishes whole
    return ExactScoreMatching::compute(model, batch);
  }

 private:
  int64_t at_, calls_ = 0;
};

// The model's mean at each evaluation; asks to stop during evaluation number `stop_at`.
class MeanEvaluator : public Evaluator {
 public:
  explicit MeanEvaluator(int64_t stop_at) : stop_at_(stop_at) {}
  Metrics evaluate(EnergyModelImpl& model, const datasets::Dataset&) override {
    if (++calls_ == stop_at_) io::request_interrupt(SIGTERM);
    io::interruption_point("evaluation");  // not deferred: the evaluation stops here
    return {{"mean0", model.parameters().front()[0].item<double>()}};
  }
  std::string primary_metric() const override { return "mean0"; }

 private:
  int64_t stop_at_, calls_ = 0;
};

struct Outcome {
  std::vector<Metrics> rows;
  torch::Tensor parameters;
  int64_t interrupted_at = -1;
  std::string message;
};

// 60 steps (log every 10) of score matching on a Gaussian, resuming from `checkpoint` when it
// exists, stopping where the objective or the evaluator ask.
Outcome train(const fs::path& checkpoint, int64_t checkpoint_every, int64_t stop_in_step = 0, int64_t stop_in_eval = 0) {
  torch::manual_seed(2);
  auto data = torch::randn({512, 2}, torch::kFloat64) * 0.5 + 1.0;
  auto model = Gaussian(torch::zeros({2}, torch::kFloat64), torch::eye(2, torch::kFloat64)).ptr();
  auto optimizer = make_sgd(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9), 0);
  Trainer trainer(model, std::make_shared<StoppingObjective>(stop_in_step), std::move(optimizer),
                  datasets::Dataset(data, "gaussian"), {std::make_shared<MeanEvaluator>(stop_in_eval)},
                  TrainerOptions().steps(60).batch_size(64).log_every(10).checkpoint_every(checkpoint_every)
                      .checkpoint_path(checkpoint.string()));
  Outcome out;
  trainer.on_log([&](const Metrics& row) {
    auto kept = row;
    kept.erase("steps_per_s");
    kept.erase("wall_s");
    out.rows.push_back(kept);
  });
  if (fs::exists(checkpoint)) trainer.resume(checkpoint.string());
  try {
    trainer.run();
  } catch (const TrainingInterrupted& interrupted) {
    out.interrupted_at = interrupted.step;
    out.message = interrupted.what();
  }
  io::clear_interrupt();
  out.parameters = torch::cat({model->parameters()[0].flatten(), model->parameters()[1].flatten()});
  return out;
}

void expect_same_run(const std::vector<Metrics>& rows, const torch::Tensor& parameters, const Outcome& reference) {
  ASSERT_EQ(rows.size(), reference.rows.size());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].dump(), reference.rows[i].dump()) << "row " << i;
  EXPECT_TRUE(torch::equal(parameters, reference.parameters));
}

TEST(Interrupts, AStopBetweenLogStepsResumesExactlyWhateverCheckpointEveryIs) {
  const auto dir = ebm::testing::scratch_dir();
  const auto reference = train(dir / "reference.pt", 0);
  ASSERT_EQ(reference.rows.size(), 6u);
  ASSERT_EQ(reference.interrupted_at, -1);
  for (int64_t checkpoint_every : {0, 20}) {
    SCOPED_TRACE("checkpoint_every " + std::to_string(checkpoint_every));
    const auto checkpoint = dir / ("stopped-" + std::to_string(checkpoint_every) + ".pt");
    // The stop comes in step 27: that step finishes, and the trainer stops before step 28,
    // mid-interval (the rows of steps 21-27 are summed but not logged).
    const auto first = train(checkpoint, checkpoint_every, 27);
    EXPECT_EQ(first.interrupted_at, 27);
    EXPECT_NE(first.message.find("training interrupted by SIGINT at step 27: its state is saved in " + checkpoint.string()),
              std::string::npos) << first.message;
    ASSERT_EQ(first.rows.size(), 2u);
    const auto second = train(checkpoint, checkpoint_every);
    EXPECT_EQ(second.interrupted_at, -1);
    auto rows = first.rows;
    rows.insert(rows.end(), second.rows.begin(), second.rows.end());
    expect_same_run(rows, second.parameters, reference);
  }
}

TEST(Interrupts, AStopDuringAnEvaluationEvaluatesAgainOnResume) {
  const auto dir = ebm::testing::scratch_dir();
  const auto reference = train(dir / "reference.pt", 0);
  // Evaluation 3 is step 30's: the update of step 30 is done, its row not yet written.
  const auto first = train(dir / "stopped.pt", 0, 0, 3);
  EXPECT_EQ(first.interrupted_at, 30);
  EXPECT_NE(first.message.find("interrupted by SIGTERM at step 30"), std::string::npos) << first.message;
  ASSERT_EQ(first.rows.size(), 2u);
  const auto second = train(dir / "stopped.pt", 0);
  auto rows = first.rows;
  rows.insert(rows.end(), second.rows.begin(), second.rows.end());
  expect_same_run(rows, second.parameters, reference);
}

// ---- through the command line ----

const std::string kTrain = "experiments/quickstart.yaml --set model.hidden=400 --set train.steps=3000 "
                           "--set train.log_every=100 --set eval.exact_ll=false";

std::string exported(const fs::path& run) {
  const auto file = run.parent_path() / (run.filename().string() + ".safetensors");
  auto result = ebm::testing::run_ebm("export --run '" + run.string() + "' --out '" + file.string() + "'");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return ebm::testing::read_text(file);
}

// Waits for `pid`; its exit status (128 + the signal when a signal ended it).
int wait_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(Interrupts, SignalsStopTrainingWithACheckpointAndTheResumedRunIsBitIdentical) {
  const auto dir = ebm::testing::scratch_dir();
  for (const std::string checkpointing : {"100", "0"}) {
    const std::string args = kTrain + " --set train.checkpoint_every=" + checkpointing;
    const auto reference = dir / ("reference-" + checkpointing);
    ASSERT_EQ(ebm::testing::run_ebm("train " + args + " --out '" + reference.string() + "'").exit_code, 0);
    const auto expected_metrics = metrics_without_timing(reference);
    const auto expected_model = exported(reference);
    std::mt19937 random(11);
    const std::vector<std::pair<int, int>> signals = {{SIGINT, 130}, {SIGTERM, 143}, {SIGHUP, 129}};
    for (const auto& [signal, code] : signals) {
      SCOPED_TRACE(io::signal_name(signal) + ", checkpoint_every " + checkpointing);
      const auto run = dir / (io::signal_name(signal) + "-" + checkpointing);
      const pid_t pid = start_ebm("train " + args + " --out '" + run.string() + "'", (dir / "log").string());
      // A random moment after the first logged row, so that the stop falls mid-run.
      while (!fs::exists(run / "metrics.jsonl")) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::this_thread::sleep_for(std::chrono::duration<double>(std::uniform_real_distribution<double>(0.0, 0.3)(random)));
      kill(pid, signal);
      ASSERT_EQ(wait_status(pid), code) << ebm::testing::read_text(dir / "log");
      const auto log = ebm::testing::read_text(dir / "log");
      EXPECT_NE(log.find("training interrupted by " + io::signal_name(signal) + " at step"), std::string::npos) << log;
      EXPECT_NE(log.find("resume with: ebm train --resume " + run.string()), std::string::npos) << log;
      const auto summary = ebm::testing::summary_of(run);
      EXPECT_EQ(summary["interrupted"], io::signal_name(signal));
      EXPECT_LT(summary["steps"].get<int64_t>(), 3000) << "the signal came after the run ended";
      ASSERT_TRUE(fs::exists(run / "checkpoint.pt"));
      auto resumed = ebm::testing::run_ebm("train --resume '" + run.string() + "'");
      ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
      EXPECT_EQ(metrics_without_timing(run), expected_metrics);
      EXPECT_EQ(exported(run), expected_model);
    }
  }
}

TEST(Interrupts, ASecondSignalEndsAtOnce) {
  const auto dir = ebm::testing::scratch_dir();
  // One training step runs a million Gibbs sweeps: far longer than the test waits.
  const pid_t pid = start_ebm("train " + kTrain + " --set sampler.steps=1000000 --out '" + (dir / "run").string() + "'",
                              (dir / "log").string());
  while (!fs::exists(dir / "run" / "config.yaml")) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0) << "the first signal waits for the step boundary";
  const auto sent = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  waitpid(pid, &status, 0);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count(), 5.0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGINT);
  EXPECT_NE(ebm::testing::read_text(dir / "log").find("stopping at the next step boundary"), std::string::npos);
}

TEST(Interrupts, SamplingAndAISStopAtTheirNextStep) {
  const auto dir = ebm::testing::scratch_dir();
  const auto run = dir / "run";
  ASSERT_EQ(ebm::testing::run_ebm("train experiments/quickstart.yaml --set train.steps=1000 --out '" + run.string() + "'")
                .exit_code, 0);
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"sample --run '" + run.string() + "' --n 10 --steps 100000000 --out '" + (dir / "s.csv").string() + "'",
       "sampling interrupted by SIGINT"},
      {"eval --run '" + run.string() + "' --metric ais --betas 10000000 --repeats 1", "AIS interrupted by SIGINT"}};
  for (const auto& [command, message] : commands) {
    SCOPED_TRACE(command);
    const pid_t pid = start_ebm(command, (dir / "log").string());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const auto sent = std::chrono::steady_clock::now();
    kill(pid, SIGINT);
    EXPECT_EQ(wait_status(pid), 130) << ebm::testing::read_text(dir / "log");
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count(), 5.0);
    EXPECT_NE(ebm::testing::read_text(dir / "log").find(message), std::string::npos) << ebm::testing::read_text(dir / "log");
    EXPECT_FALSE(fs::exists(dir / "s.csv"));
  }
}

// A catalogue stops as a whole: a signal during one study ends `reproduce --all` with its exit
// code, the studies after it not started and no catalogue table written.
TEST(Interrupts, ACatalogueStopsAsAWhole) {
  const auto dir = ebm::testing::scratch_dir();
  const pid_t pid = start_ebm("reproduce --all --quick --threads 1 --out '" + (dir / "catalogue").string() + "'",
                              (dir / "log").string());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto sent = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  EXPECT_EQ(wait_status(pid), 130) << ebm::testing::read_text(dir / "log");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count(), 10.0);
  EXPECT_FALSE(fs::exists(dir / "catalogue" / "catalogue.json"));
  EXPECT_FALSE(fs::exists(dir / "catalogue" / "centering")) << "a study after the interrupted one started";
}

}  // namespace
}  // namespace ebm::trainers
