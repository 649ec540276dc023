// The divergence guard: each trigger (a non-finite loss, a non-finite parameter, an energy above
// the limit) rolls training back to the last good log step with a smaller learning rate and a
// rollback row; past max_rollbacks, or with rollbacks off, training stops with a message naming
// the step, the quantity and the last checkpoint. Also the loop's other schedules on the same
// run: the heartbeat between rows and the evaluations every train.eval_every steps.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "ebm/layered_rbm.h"
#include "ebm/gaussian.h"
#include "trainers/exact_log_likelihood.h"
#include "trainers/optimizer.h"
#include "trainers/rbm_metrics.h"
#include "trainers/score_matching.h"
#include "trainers/trainer.h"
#include "test_support.h"

namespace ebm::trainers {
namespace {

enum class Fault { NanLoss, InfParameter, HugeEnergy };

// Exact score matching of a Gaussian, with one fault injected from call `from` to call `to`.
class FaultyObjective : public Objective {
 public:
  FaultyObjective(Fault fault, int64_t from, int64_t to) : fault_(fault), from_(from), to_(to) {}
  LossTerms compute(EnergyModelImpl& model, const torch::Tensor& batch) override {
    ++calls_;
    LossTerms terms = inner_.compute(model, batch);
    if (calls_ < from_ || calls_ > to_) return terms;
    switch (fault_) {
      case Fault::NanLoss: terms.loss = terms.loss * std::numeric_limits<double>::quiet_NaN(); break;
      case Fault::InfParameter: {
        torch::NoGradGuard no_grad;
        spare_.fill_(std::numeric_limits<double>::infinity());
        break;
      }
      case Fault::HugeEnergy: terms.energies = {torch::tensor({1e9}, torch::kFloat64)}; break;
    }
    return terms;
  }
  // A parameter the loss does not use, so a non-finite value in it leaves the loss finite and
  // only the parameter check can see it.
  std::vector<torch::Tensor> parameters() override { return {spare_}; }
  void save(torch::serialize::OutputArchive& archive) const override { archive.write("spare", spare_); }
  void load(torch::serialize::InputArchive& archive) override { archive.read("spare", spare_); }
  std::string name() const override { return "faulty"; }

 private:
  torch::Tensor spare_ = torch::zeros({1}, torch::kFloat64).requires_grad_(true);
  ExactScoreMatching inner_;
  Fault fault_;
  int64_t from_, to_, calls_ = 0;
};

struct Outcome {
  std::vector<Metrics> rows, rollbacks;
  TrainingSummary summary;
  double lr = 0;
  std::string stopped;  // TrainingDiverged's message, if it stopped
};

Outcome train(Fault fault, int64_t from, int64_t to, TrainerOptions options,
              const std::function<void(Trainer&)>& set_up = {},
              std::vector<std::shared_ptr<Evaluator>> evaluators = {}) {
  torch::manual_seed(2);
  auto data = torch::randn({512, 2}, torch::kFloat64) * 0.5 + 1.0;
  auto model = Gaussian(torch::zeros({2}, torch::kFloat64), torch::eye(2, torch::kFloat64)).ptr();
  auto objective = std::make_shared<FaultyObjective>(fault, from, to);
  auto params = model->parameters();
  params.push_back(objective->parameters().front());
  auto optimizer = make_sgd(params, torch::optim::SGDOptions(0.05), 0);
  auto* raw = optimizer.get();
  Trainer trainer(model, objective, std::move(optimizer), datasets::Dataset(data, "gaussian"), std::move(evaluators),
                  options.steps(60).batch_size(64).log_every(10));
  Outcome out;
  trainer.on_log([&](const Metrics& row) { (row.contains("rollback") ? out.rollbacks : out.rows).push_back(row); });
  if (set_up) set_up(trainer);
  try {
    out.summary = trainer.run();
  } catch (const TrainingDiverged& e) {
    out.stopped = e.what();
  }
  out.lr = raw->param_groups()[0].options().get_lr();
  return out;
}

void expect_one_rollback(const Outcome& out, const std::string& reason, int64_t failed_step, int64_t resumed_at) {
  EXPECT_TRUE(out.stopped.empty()) << out.stopped;
  ASSERT_EQ(out.rollbacks.size(), 1u);
  const auto& row = out.rollbacks[0];
  EXPECT_NE(row["reason"].get<std::string>().find(reason), std::string::npos) << row.dump();
  EXPECT_EQ(row["step"].get<int64_t>(), failed_step);
  EXPECT_EQ(row["resumed_at"].get<int64_t>(), resumed_at);
  EXPECT_DOUBLE_EQ(row["lr_factor"].get<double>(), 0.5);
  EXPECT_EQ(out.summary.rollbacks, 1);
  EXPECT_EQ(out.summary.steps, 60);
  EXPECT_DOUBLE_EQ(out.lr, 0.025);  // the base rate halved, for the rest of the run
  // Training went on from the last good step: every log step is reported once after it.
  std::vector<int64_t> steps;
  for (const auto& r : out.rows) steps.push_back(r["step"].get<int64_t>());
  EXPECT_EQ(steps, (std::vector<int64_t>{10, 20, 30, 40, 50, 60}));
}

TEST(DivergenceGuard, NonFiniteLossRollsBackToTheLastGoodLogStep) {
  // Call 25 is step 25: its loss is NaN, caught before the update; back to step 20.
  expect_one_rollback(train(Fault::NanLoss, 25, 25, {}), "the loss is nan at step 25", 25, 20);
}

TEST(DivergenceGuard, ANonFiniteLossReadLaterStillNamesItsStepAndEndsTheSame) {
  // Checking every 10 steps (as on a GPU): the NaN of step 25 is read at step 30, and its
  // update ran. The rollback restores step 20's state all the same: the same row, rate and run.
  auto deferred = train(Fault::NanLoss, 25, 25, TrainerOptions().check_every(10));
  expect_one_rollback(deferred, "the loss is nan at step 25", 25, 20);
  auto at_once = train(Fault::NanLoss, 25, 25, {});
  ASSERT_EQ(deferred.rows.size(), at_once.rows.size());
  for (size_t i = 0; i < at_once.rows.size(); ++i) {
    EXPECT_DOUBLE_EQ(deferred.rows[i]["loss"].get<double>(), at_once.rows[i]["loss"].get<double>()) << "row " << i;
  }
}

TEST(DivergenceGuard, NonFiniteParameterIsCaughtAtTheNextLogStep) {
  expect_one_rollback(train(Fault::InfParameter, 25, 25, {}), "an objective parameter is not finite at step 30", 30, 20);
}

TEST(DivergenceGuard, EnergyAboveTheLimitRollsBack) {
  // The default limit is the config's (train.max_abs_energy = 1e6).
  expect_one_rollback(train(Fault::HugeEnergy, 25, 30, {}),
                      "max |E| = 1e+09 exceeds train.max_abs_energy = 1e+06 at step 30", 30, 20);
  // Without a limit (0) the same energy is only reported, not acted on.
  EXPECT_TRUE(train(Fault::HugeEnergy, 25, 30, TrainerOptions().max_abs_energy(0)).rollbacks.empty());
}

TEST(DivergenceGuard, TheTrainerMeasuresEnergiesItselfWhenTheObjectiveDoesNot) {
  // Score matching reports no energies; the trainer evaluates E on the batch at log steps. The
  // Gaussian's energies are about 2 here, so a limit of 0.5 trips at the first log step.
  auto out = train(Fault::NanLoss, 1000, 1000, TrainerOptions().max_abs_energy(0.5).max_rollbacks(2));
  EXPECT_EQ(out.rollbacks.size(), 2u);
  EXPECT_NE(out.stopped.find("exceeds train.max_abs_energy = 0.5 at step 10 after 2 rollbacks"), std::string::npos)
      << out.stopped;
}

TEST(DivergenceGuard, StopsAfterMaxRollbacksNamingStepQuantityAndCheckpoint) {
  auto dir = testing::scratch_dir();
  const auto checkpoint = (dir / "checkpoint.pt").string();
  auto out = train(Fault::NanLoss, 35, 1000000,
                   TrainerOptions().max_rollbacks(3).checkpoint_every(20).checkpoint_path(checkpoint));
  EXPECT_EQ(out.rollbacks.size(), 3u);
  EXPECT_NE(out.stopped.find("the loss is nan at step 31 after 3 rollbacks (train.max_rollbacks)"), std::string::npos)
      << out.stopped;
  EXPECT_NE(out.stopped.find(checkpoint + " (step 20), is intact and resumable"), std::string::npos) << out.stopped;
  EXPECT_TRUE(std::filesystem::exists(checkpoint));
}

TEST(DivergenceGuard, StopModeStopsAtTheFirstDivergence) {
  auto out = train(Fault::NanLoss, 5, 5, TrainerOptions().rollback_on_divergence(false));
  EXPECT_TRUE(out.rollbacks.empty());
  EXPECT_NE(out.stopped.find("the loss is nan at step 5 (train.on_divergence: stop); no checkpoint was written"),
            std::string::npos) << out.stopped;
}

// A log-likelihood that is finite but far below the uniform model's (the probe's RBM at lr 1000
// ended at -1560 nats where the uniform model scores -6.2) is a blow-up like a NaN: rolled back.
class ScriptedLikelihood : public Evaluator {
 public:
  explicit ScriptedLikelihood(int64_t bad_call) : bad_call_(bad_call) {}
  Metrics evaluate(EnergyModelImpl&, const datasets::Dataset&) override {
    return {{"ll", ++calls_ == bad_call_ ? -21.0 : -19.0}};
  }
  std::string primary_metric() const override { return "ll"; }
  double uniform_model_value(const EnergyModelImpl&) const override { return -10.0; }

 private:
  int64_t bad_call_, calls_ = 0;
};

TEST(DivergenceGuard, AMetricFarBelowTheUniformModelRollsBack) {
  // Evaluation 3 (step 30) reports -21: below twice the uniform model's -10. Back to step 20.
  auto out = train(Fault::NanLoss, 1000, 1000, {}, {}, {std::make_shared<ScriptedLikelihood>(3)});
  expect_one_rollback(out, "ll = -21 is below 2 times the uniform model's -10 at step 30", 30, 20);
  // -19 (90% below the uniform model) may be a model still learning: not a blow-up.
  EXPECT_TRUE(train(Fault::NanLoss, 1000, 1000, {}, {}, {std::make_shared<ScriptedLikelihood>(0)}).rollbacks.empty());
  // Stopping instead, the message names the metric.
  auto stopped = train(Fault::NanLoss, 1000, 1000, TrainerOptions().rollback_on_divergence(false), {},
                       {std::make_shared<ScriptedLikelihood>(2)});
  EXPECT_NE(stopped.stopped.find("training diverged: ll = -21 is below 2 times the uniform model's -10"), std::string::npos)
      << stopped.stopped;
  // The binary models' log-likelihoods know their uniform value: -D log 2.
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(9, 4));
  EXPECT_DOUBLE_EQ(ExactLogLikelihood().uniform_model_value(*rbm), -9 * std::log(2.0));
  EXPECT_DOUBLE_EQ(PseudoLikelihood().uniform_model_value(*rbm), -9 * std::log(2.0));
}

TEST(DivergenceGuard, TheProbesRBMAtLearningRate1000NoLongerEndsQuietly) {
  const auto dir = testing::scratch_dir();
  auto r = testing::run_ebm("train experiments/quickstart.yaml --set optimizer.lr=1000 --set train.steps=3000 --out '" +
                            (dir / "run").string() + "'");
  const auto metrics = testing::read_text(dir / "run" / "metrics.jsonl");
  EXPECT_NE(metrics.find("times the uniform model's"), std::string::npos) << metrics;
  if (r.exit_code == 0) {
    // Rolled back until stable: the final model scores above the blow-up line.
    EXPECT_GT(testing::summary_of(dir / "run")["final"]["exact_ll"].get<double>(), -2 * 16 * std::log(2.0));
  } else {
    testing::expect_refused(r, "training diverged: exact_ll =", 1);
  }
}

// The heartbeat between logged rows: with a period of 0 it comes after every update that is not
// a log step (and with a rate above 0); with an hour's period, never in a short run.
TEST(TrainerProgress, HeartbeatsComeBetweenLoggedRowsOnceThePeriodHasPassed) {
  std::vector<int64_t> beats, expected;
  auto every_step = [&](Trainer& t) {
    t.on_progress(0, [&](int64_t step, double steps_per_s) {
      beats.push_back(step);
      EXPECT_GT(steps_per_s, 0);
    });
  };
  train(Fault::NanLoss, 1000, 1000, {}, every_step);  // no fault within the 60 steps
  for (int64_t step = 1; step < 60; ++step) {
    if (step % 10 != 0) expected.push_back(step);
  }
  EXPECT_EQ(beats, expected);
  beats.clear();
  train(Fault::NanLoss, 1000, 1000, {}, [&](Trainer& t) { t.on_progress(3600, [&](int64_t step, double) { beats.push_back(step); }); });
  EXPECT_TRUE(beats.empty());
}

// Counts its calls and reports the count, so a row shows whether it was evaluated and the best
// row is the last one evaluated.
class CountingEvaluator : public Evaluator {
 public:
  Metrics evaluate(EnergyModelImpl&, const datasets::Dataset&) override { return {{"evaluations", ++calls}}; }
  std::string primary_metric() const override { return "evaluations"; }
  int64_t calls = 0;
};

// Which of the 60-step run's rows (one per 10 steps) carry the evaluator's metric.
std::vector<int64_t> evaluated_steps(int64_t eval_every, Outcome* outcome = nullptr) {
  auto evaluator = std::make_shared<CountingEvaluator>();
  auto out = train(Fault::NanLoss, 1000, 1000, TrainerOptions().eval_every(eval_every), {}, {evaluator});
  std::vector<int64_t> steps;
  for (const auto& row : out.rows) {
    if (row.contains("evaluations")) steps.push_back(row["step"].get<int64_t>());
  }
  EXPECT_EQ(evaluator->calls, static_cast<int64_t>(steps.size()));
  EXPECT_EQ(out.summary.best["step"].get<int64_t>(), 60);
  if (outcome) *outcome = out;
  return steps;
}

TEST(TrainerEvaluation, EvaluatorsRunEveryEvalEveryStepsAndAtTheLastStep) {
  Outcome every_row, thinned;
  EXPECT_EQ(evaluated_steps(0, &every_row), (std::vector<int64_t>{10, 20, 30, 40, 50, 60}));
  EXPECT_EQ(evaluated_steps(20, &thinned), (std::vector<int64_t>{20, 40, 60}));
  EXPECT_EQ(evaluated_steps(40), (std::vector<int64_t>{40, 60}));
  // Every row is still logged, and skipping evaluations leaves training unchanged.
  ASSERT_EQ(thinned.rows.size(), every_row.rows.size());
  for (size_t i = 0; i < every_row.rows.size(); ++i) {
    EXPECT_EQ(thinned.rows[i]["loss"].get<double>(), every_row.rows[i]["loss"].get<double>()) << "row " << i;
  }
  EXPECT_THROW(train(Fault::NanLoss, 1000, 1000, TrainerOptions().eval_every(15)), std::invalid_argument);
}

}  // namespace
}  // namespace ebm::trainers
