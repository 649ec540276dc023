#include "trainers/trainer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "trainers/checkpoint.h"

namespace ebm::trainers {

namespace {
using Clock = std::chrono::steady_clock;

// Rescales the gradients to a global L2 norm of at most max_norm, as
// torch::nn::utils::clip_grad_norm_ does, without reading the norm on the host.
void clip_gradients(const std::vector<torch::Tensor>& tensors, double max_norm) {
  std::vector<torch::Tensor> norms;
  for (const auto& t : tensors) {
    if (t.grad().defined()) norms.push_back(t.grad().norm().to(torch::kFloat64));
  }
  if (norms.empty()) return;
  auto factor = (max_norm / (torch::stack(norms).norm() + 1e-6)).clamp_max(1.0);
  for (const auto& t : tensors) {
    if (t.grad().defined()) t.grad().mul_(factor);
  }
}
}  // namespace

Trainer::Trainer(EnergyModelPtr model, std::shared_ptr<Objective> objective,
                 std::unique_ptr<torch::optim::Optimizer> optimizer, datasets::Dataset data,
                 std::vector<std::shared_ptr<Evaluator>> evaluators, TrainerOptions options)
    : model_(std::move(model)),
      objective_(std::move(objective)),
      optimizer_(std::move(optimizer)),
      data_(std::move(data)),
      batches_(data_, options.batch_size()),
      evaluators_(std::move(evaluators)),
      options_(std::move(options)) {
  objective_->check_model(*model_);
  for (const auto& e : evaluators_) e->check_model(*model_);
  if (options_.log_every() <= 0) throw std::invalid_argument("log_every must be positive");
  if (options_.checkpoint_every() % options_.log_every() != 0) {
    throw std::invalid_argument("checkpoint_every must be a multiple of log_every");
  }
  if (options_.eval_every() < 0 || options_.eval_every() % options_.log_every() != 0) {
    throw std::invalid_argument("eval_every must be 0 or a multiple of log_every");
  }
  // The optimiser may hold more than the model (NCE's log-normaliser): every tensor it updates
  // has its gradient cleared and clipped with the model's.
  for (auto& group : optimizer_->param_groups()) {
    base_lrs_.push_back(group.options().get_lr());
    for (const auto& p : group.params()) trained_.push_back(p);
  }
  if (options_.check_every() < 0) throw std::invalid_argument("check_every must be at least 0");
  const bool on_cpu = trained_.empty() || trained_.front().device().is_cpu();
  // A data-parallel job reads them at log steps too: reading is a collective there.
  check_every_ = options_.check_every() > 0 ? options_.check_every() : on_cpu && !options_.world() ? 1 : options_.log_every();
  if (const auto& world = options_.world()) {
    const int64_t global_batch = std::min(options_.batch_size(), data_.size());
    if (global_batch % world->size() != 0) {
      throw std::invalid_argument(fmt::format("the global batch of {} rows does not split evenly over {} processes",
                                              global_batch, world->size()));
    }
    // Every rank built the same experiment from the same seed, so the global generator is in the
    // same state on each: the batches' order continues that stream on a copy, and each rank
    // samples from a stream of its own, seeded from that state and its rank.
    auto global = at::detail::getDefaultCPUGenerator();
    uint64_t base = 0;
    {
      std::lock_guard<std::mutex> lock(global.mutex());
      batches_.use_generator(global.clone());
      base = global.get<at::CPUGeneratorImpl>()->random64();
    }
    uint64_t z = base + 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(world->rank() + 1);  // splitmix64
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    torch::manual_seed(z ^ (z >> 31));
  }
}

int64_t Trainer::agreed(int64_t value) const { return options_.world() ? options_.world()->max(value) : value; }

void Trainer::set_learning_rates() {
  const double t = static_cast<double>(step_) / static_cast<double>(std::max<int64_t>(1, options_.steps()));
  const double factor = options_.lr_schedule()(t) * lr_factor_;
  for (size_t g = 0; g < base_lrs_.size(); ++g) optimizer_->param_groups()[g].options().set_lr(base_lrs_[g] * factor);
}

TrainingSummary Trainer::run() {
  if (options_.rollback_on_divergence() && good_state_.empty()) good_state_ = state_bytes();
  const auto progress_period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(progress_every_s_));
  auto interval_start = Clock::now(), next_progress = interval_start + progress_period;
  auto restart_interval = [&] {
    interval_start = Clock::now();
    next_progress = interval_start + progress_period;
    carried_interval_s_ = 0;
  };
  auto interval_s = [&] { return carried_interval_s_ + std::chrono::duration<double>(Clock::now() - interval_start).count(); };
  // An evaluation that a stop request cut short (it may run an interruptible sampler or AIS)
  // stops the run there; the resumed run evaluates again.
  auto log_step_or_stop = [&] {
    try {
      complete_log_step(interval_s());
    } catch (const io::Interrupted& interrupted) {
      log_due_ = true;
      stop(interval_s(), interrupted.signal);
    }
    restart_interval();
  };
  agreed_stop_ = static_cast<int>(agreed(io::pending_interrupt()));
  if (log_due_) log_step_or_stop();
  while (step_ < options_.steps()) {
    // In a world the ranks' stop requests travel with the gradients (below), so all stop at one step.
    if (const int signal = options_.world() ? agreed_stop_ : io::pending_interrupt()) stop(interval_s(), signal);
    set_learning_rates();
    auto batch = batches_.next();
    if (const auto& world = options_.world()) {
      const int64_t shard = batch.size(0) / world->size();
      batch = batch.slice(0, world->rank() * shard, (world->rank() + 1) * shard);
    }
    // Dropping the gradients (rather than zeroing them) lets backward write them in place.
    for (auto& p : trained_) p.mutable_grad().reset();
    LossTerms terms = [&] {
      io::DeferInterrupts whole_step;  // the step's own sampler runs finish; the stop comes after
      return objective_->compute(*model_, batch);
    }();
    if (term_sums_.empty()) {
      term_sums_.emplace_back("loss", 0.0);
      for (const auto& [name, value] : terms.terms) term_sums_.emplace_back(name, 0.0);
    }
    pending_.push_back(terms.loss.detach());
    for (const auto& [name, value] : terms.terms) pending_.push_back(value.detach());
    const bool log_step = (step_ + 1) % options_.log_every() == 0 || step_ + 1 == options_.steps();
    if (log_step || (step_ + 1) % check_every_ == 0) {
      if (const auto diverged = read_pending(step_ + 1)) {
        roll_back(diverged);
        restart_interval();
        continue;
      }
    }
    terms.loss.backward();
    if (options_.world()) {
      // The shards' mean gradients averaged: the gradient of the mean loss over the global batch.
      std::vector<torch::Tensor> gradients;
      for (auto& p : trained_) {
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        gradients.push_back(p.grad());
      }
      // Each rank's stop request as one entry per signal: after averaging, an entry above 0
      // means some rank was asked to stop by that signal.
      const int signals[] = {SIGINT, SIGTERM, SIGHUP};
      const int pending = io::pending_interrupt();
      auto requests = torch::zeros({3}, torch::kFloat);
      float* request = requests.data_ptr<float>();
      for (int i = 0; i < 3; ++i) request[i] = pending == signals[i] ? 1.0f : 0.0f;
      gradients.push_back(requests);
      options_.world()->average(gradients);
      agreed_stop_ = 0;
      for (int i = 0; i < 3 && agreed_stop_ == 0; ++i) {
        if (request[i] > 0) agreed_stop_ = signals[i];
      }
    }
    if (options_.grad_clip() > 0) clip_gradients(trained_, options_.grad_clip());
    optimizer_->step();
    model_->after_update(batch);
    ++step_;
    ++steps_in_interval_;

    if (log_step) {
      auto diverged = divergence(batch, terms.energies);
      if (agreed(diverged ? 1 : 0) && !diverged) diverged = {"another process found divergence at step " + std::to_string(step_), step_};
      if (diverged) {
        roll_back(diverged);
        restart_interval();
        continue;
      }
      log_step_or_stop();
    } else if (on_progress_) {
      if (const auto now = Clock::now(); now >= next_progress) {
        on_progress_(step_, static_cast<double>(steps_in_interval_) / interval_s());
        next_progress = now + progress_period;
      }
    }
  }
  TrainingSummary summary;
  summary.steps = step_;
  summary.rollbacks = rollbacks_;
  summary.wall_s = wall_s_;
  summary.final = last_;
  summary.best = best_;
  return summary;
}

Trainer::Divergence Trainer::metric_blow_up(const Metrics& row) const {
  for (const auto& evaluator : evaluators_) {
    const double uniform = evaluator->uniform_model_value(*model_);
    const std::string key = evaluator->primary_metric();
    if (std::isnan(uniform) || !row.contains(key) || !row[key].is_number()) continue;
    const double value = row[key].get<double>();
    if (!std::isfinite(value) || value < kBlowUpFactor * uniform) {
      return {fmt::format("{} = {:.6g} is below {:g} times the uniform model's {:.6g} at step {}", key, value,
                          kBlowUpFactor, uniform, step_),
              step_};
    }
  }
  return {};
}

void Trainer::complete_log_step(double interval_s) {
  Metrics row = log_row(interval_s);
  log_due_ = false;
  auto blown = metric_blow_up(row);  // rank 0 evaluates; the others follow its decision
  if (agreed(blown ? 1 : 0) && !blown) blown = {"rank 0's evaluation found divergence at step " + std::to_string(step_), step_};
  if (blown) {
    roll_back(blown);  // restores the last good state (its best row and wall time included)
    return;
  }
  last_ = std::move(row);
  if (on_log_) {
    io::DeferInterrupts whole_row;  // an observer's measurement finishes; the stop comes after
    on_log_(last_);
  }
  // One serialisation serves the checkpoint and the state a rollback would return to.
  const bool periodic = options_.checkpoint_every() > 0 && step_ % options_.checkpoint_every() == 0;
  const bool checkpoint = !options_.checkpoint_path().empty() && (periodic || step_ == options_.steps());
  if (checkpoint || options_.rollback_on_divergence()) {
    std::string state = state_bytes();
    if (checkpoint) {
      write_checkpoint(state, nullptr);
      checkpoint_step_ = step_;
      if (on_checkpoint_) on_checkpoint_(step_);
    }
    if (options_.rollback_on_divergence()) good_state_ = std::move(state);
  }
}

TrainingInterrupted::TrainingInterrupted(int signal, int64_t step, std::string checkpoint)
    : io::Interrupted(fmt::format("training interrupted by {} at step {}: {}", io::signal_name(signal), step,
                                  checkpoint.empty() ? std::string("no checkpoint path, nothing saved")
                                                     : "its state is saved in " + checkpoint),
                      signal),
      step(step),
      checkpoint(std::move(checkpoint)) {}

void Trainer::stop(double interval_s, int signal) {
  if (const auto diverged = read_pending(step_)) {
    roll_back(diverged);  // the stop saves the last good state instead
    interval_s = 0;
  }
  if (options_.checkpoint_path().empty()) throw TrainingInterrupted(signal, step_, "");
  write_checkpoint("", [&](torch::serialize::OutputArchive& archive) {
    // The unfinished interval: its sums and seconds, and whether its log step is still to do.
    nlohmann::ordered_json interval = {{"steps", steps_in_interval_}, {"seconds", interval_s}, {"log_due", log_due_}};
    for (const auto& [name, sum] : term_sums_) interval["sums"].push_back({name, sum});
    archive.write("interval", c10::IValue(interval.dump()));
    if (options_.rollback_on_divergence()) archive.write("good_state", bytes_tensor(good_state_));
  });
  checkpoint_step_ = step_;
  if (on_checkpoint_) on_checkpoint_(step_);
  throw TrainingInterrupted(signal, step_, options_.checkpoint_path());
}

Trainer::Divergence Trainer::read_pending(int64_t newest_step) {
  if (pending_.empty()) return {};
  if (options_.world()) options_.world()->average(pending_);  // the shards' means: the global batch's
  std::vector<double> values(pending_.size());
  if (pending_.front().device().is_cpu()) {
    for (size_t i = 0; i < pending_.size(); ++i) values[i] = pending_[i].item<double>();
  } else {  // one copy, one synchronisation
    for (auto& value : pending_) value = value.to(torch::kFloat64);
    auto all = torch::stack(pending_).to(torch::kCPU).contiguous();
    std::copy(all.data_ptr<double>(), all.data_ptr<double>() + all.numel(), values.begin());
  }
  pending_.clear();
  const size_t per_step = term_sums_.size();
  const int64_t steps = static_cast<int64_t>(values.size() / per_step);
  for (int64_t s = 0; s < steps; ++s) {
    const double loss = values[s * per_step];
    const int64_t step = newest_step - (steps - 1 - s);
    if (!std::isfinite(loss)) return {fmt::format("the loss is {} at step {}", loss, step), step};
  }
  for (size_t i = 0; i < values.size(); ++i) term_sums_[i % per_step].second += values[i];
  return {};
}

Trainer::Divergence Trainer::divergence(const torch::Tensor& batch, const std::vector<torch::Tensor>& energies) {
  torch::NoGradGuard no_grad;
  const std::string at = " at step " + std::to_string(step_);
  for (const auto& item : model_->named_parameters()) {
    if (!torch::isfinite(item.value()).all().item<bool>()) return {"parameter " + item.key() + " is not finite" + at, step_};
  }
  for (const auto& p : objective_->parameters()) {
    if (!torch::isfinite(p).all().item<bool>()) return {"an objective parameter is not finite" + at, step_};
  }
  double e = 0;
  if (energies.empty()) {
    e = model_->energy(batch).abs().max().item<double>();
  } else {
    for (const auto& energy : energies) e = std::max(e, energy.detach().abs().max().item<double>());
  }
  if (std::isnan(e)) e = std::numeric_limits<double>::infinity();
  if (!std::isfinite(e)) return {"an energy is not finite" + at, step_};
  if (options_.max_abs_energy() > 0 && e > options_.max_abs_energy()) {
    return {fmt::format("max |E| = {:.4g} exceeds train.max_abs_energy = {:.4g}{}", e, options_.max_abs_energy(), at), step_};
  }
  return {};
}

void Trainer::roll_back(const Divergence& diverged) {
  const std::string& reason = diverged.reason;
  const int64_t failed_step = diverged.step;
  if (!options_.rollback_on_divergence() || rollbacks_ >= options_.max_rollbacks()) {
    const std::string checkpoint =
        checkpoint_step_ >= 0 ? fmt::format("the last good checkpoint, {} (step {}), is intact and resumable",
                                            options_.checkpoint_path(), checkpoint_step_)
                              : std::string("no checkpoint was written before it");
    const std::string why = options_.rollback_on_divergence()
                                ? fmt::format("after {} rollbacks (train.max_rollbacks)", rollbacks_)
                                : std::string("(train.on_divergence: stop)");
    throw TrainingDiverged("training diverged: " + reason + " " + why + "; " + checkpoint, failed_step);
  }
  // The count and the rate factor carry over the restore: they describe this run, not the state.
  const int64_t rollbacks = rollbacks_ + 1;
  const double lr_factor = lr_factor_ * options_.rollback_lr_factor();
  torch::serialize::InputArchive archive;
  read_archive_bytes(archive, good_state_, model_->parameters().front().device());
  read_state(archive, "the last good state");
  rollbacks_ = rollbacks;
  lr_factor_ = lr_factor;
  for (auto& [name, sum] : term_sums_) sum = 0;
  pending_.clear();
  steps_in_interval_ = 0;
  spdlog::warn("rollback {}/{}: {}; back to step {} with the learning rate x{:.4g}", rollbacks_, options_.max_rollbacks(),
               reason, step_, lr_factor_);
  Metrics row;
  row["step"] = failed_step;
  row["rollback"] = rollbacks_;
  row["reason"] = reason;
  row["resumed_at"] = step_;
  row["lr_factor"] = lr_factor_;
  if (on_log_) on_log_(row);
}

Metrics Trainer::log_row(double interval_s) {
  // Rank 0 evaluates; the other ranks of a job take their share of the evaluators that share
  // their work (AIS) and keep no metrics.
  const bool evaluation_step = !evaluators_.empty() && (options_.eval_every() == 0 || step_ % options_.eval_every() == 0 ||
                                                        step_ == options_.steps());
  const bool leads = !options_.world() || options_.world()->leads();
  const bool evaluate = evaluation_step && leads;
  const bool helps = evaluation_step && !leads &&
                     std::any_of(evaluators_.begin(), evaluators_.end(), [](const auto& e) { return e->shares_work_over_ranks(); });
  // Evaluation comes first: interrupted, it leaves the trainer as it was.
  Metrics metrics = Metrics::object();
  if (evaluate || helps) {
    // Evaluation must not shift the training random stream: changing log_every or eval_every,
    // or adding an evaluator, leaves the trained model unchanged.
    auto generators = GeneratorSnapshot::capture();
    // In a world a stop inside an evaluation would leave the other ranks waiting in the next
    // collective: the evaluation finishes and the stop comes with the next update.
    std::optional<io::DeferInterrupts> whole_evaluation;
    if (options_.world()) whole_evaluation.emplace();
    model_->eval();
    try {
      const auto evaluation_data = data_.evaluation_split();
      for (const auto& evaluator : evaluators_) {
        if (leads) {
          metrics.update(evaluator->evaluate(*model_, evaluation_data));
        } else if (evaluator->shares_work_over_ranks()) {
          evaluator->evaluate(*model_, evaluation_data);
        }
      }
    } catch (...) {
      model_->train();
      generators.restore();
      throw;
    }
    model_->train();
    generators.restore();
  }
  wall_s_ += interval_s;
  Metrics row;
  row["step"] = step_;
  for (auto& [name, sum] : term_sums_) {
    row[name] = sum / static_cast<double>(steps_in_interval_);
    sum = 0;
  }
  row.update(metrics);
  row["steps_per_s"] = interval_s > 0 ? static_cast<double>(steps_in_interval_) / interval_s : 0.0;
  row["wall_s"] = wall_s_;
  steps_in_interval_ = 0;

  if (evaluate) {
    const auto& first = *evaluators_.front();
    const std::string key = first.primary_metric();
    const bool better = best_.empty() || (first.higher_is_better() ? row[key].get<double>() > best_[key].get<double>()
                                                                   : row[key].get<double>() < best_[key].get<double>());
    if (better) best_ = row;
  } else if (evaluators_.empty()) {
    best_ = row;
  }
  return row;
}

}  // namespace ebm::trainers
