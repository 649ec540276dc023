#include "trainers/trainer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "trainers/checkpoint.h"
#include "trainers/schedule.h"

namespace ebm::trainers {

namespace {
constexpr int64_t kCheckpointFormat = 1;
using Clock = std::chrono::steady_clock;
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
  schedule_factor(options_.lr_schedule(), 0, 1);  // rejects an unknown schedule now
  for (auto& group : optimizer_->param_groups()) base_lrs_.push_back(group.options().get_lr());
  if (options_.checkpoint_every() % options_.log_every() != 0) {
    throw std::invalid_argument("checkpoint_every must be a multiple of log_every");
  }
}

TrainingSummary Trainer::run() {
  auto interval_start = Clock::now();
  while (step_ < options_.steps()) {
    const double factor = schedule_factor(options_.lr_schedule(), step_, options_.steps());
    for (size_t g = 0; g < base_lrs_.size(); ++g) {
      optimizer_->param_groups()[g].options().set_lr(base_lrs_[g] * factor);
    }
    auto batch = batches_.next();
    // Dropping the gradients (rather than zeroing them) lets backward write them in place.
    for (auto& p : model_->parameters()) p.mutable_grad().reset();
    LossTerms terms = objective_->compute(*model_, batch);
    const double loss = terms.loss.item<double>();
    if (!std::isfinite(loss)) {
      throw std::runtime_error("training diverged at step " + std::to_string(step_ + 1) +
                               ": the loss is " + std::to_string(loss));
    }
    terms.loss.backward();
    if (options_.grad_clip() > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), options_.grad_clip());
    optimizer_->step();
    ++step_;

    if (term_sums_.empty()) {
      term_sums_.emplace_back("loss", 0.0);
      for (const auto& [name, value] : terms.terms) term_sums_.emplace_back(name, 0.0);
    }
    term_sums_[0].second += loss;
    for (size_t i = 0; i < terms.terms.size(); ++i) {
      term_sums_[i + 1].second += terms.terms[i].second.item<double>();
    }
    ++steps_in_interval_;

    if (step_ % options_.log_every() == 0 || step_ == options_.steps()) {
      const double interval_s = std::chrono::duration<double>(Clock::now() - interval_start).count();
      last_ = log_row(interval_s);
      if (on_log_) on_log_(last_);
      const bool periodic = options_.checkpoint_every() > 0 && step_ % options_.checkpoint_every() == 0;
      if (!options_.checkpoint_path().empty() && (periodic || step_ == options_.steps())) {
        save_checkpoint();
      }
      interval_start = Clock::now();
    }
  }
  TrainingSummary summary;
  summary.steps = step_;
  summary.wall_s = wall_s_;
  summary.final = last_;
  summary.best = best_;
  return summary;
}

Metrics Trainer::log_row(double interval_s) {
  wall_s_ += interval_s;
  Metrics row;
  row["step"] = step_;
  for (auto& [name, sum] : term_sums_) {
    row[name] = sum / static_cast<double>(steps_in_interval_);
    sum = 0;
  }
  // Evaluation must not shift the training random stream: changing log_every or adding an
  // evaluator leaves the trained model unchanged.
  auto generators = GeneratorSnapshot::capture();
  model_->eval();
  const auto evaluation_data = data_.evaluation_split();
  for (const auto& evaluator : evaluators_) row.update(evaluator->evaluate(*model_, evaluation_data));
  model_->train();
  generators.restore();
  row["steps_per_s"] = interval_s > 0 ? static_cast<double>(steps_in_interval_) / interval_s : 0.0;
  row["wall_s"] = wall_s_;
  steps_in_interval_ = 0;

  if (!evaluators_.empty()) {
    const auto& first = *evaluators_.front();
    const std::string key = first.primary_metric();
    const bool better = best_.empty() || (first.higher_is_better() ? row[key].get<double>() > best_[key].get<double>()
                                                                   : row[key].get<double>() < best_[key].get<double>());
    if (better) best_ = row;
  } else {
    best_ = row;
  }
  return row;
}

void Trainer::save_checkpoint() const {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(kCheckpointFormat));
  archive.write("step", c10::IValue(step_));
  archive.write("wall_s", c10::IValue(wall_s_));
  archive.write("best", c10::IValue(best_.dump()));
  archive.write("last", c10::IValue(last_.dump()));
  archive.write("model_type", c10::IValue(model_->type_name()));
  torch::serialize::OutputArchive model, optimizer, objective, batches;
  model_->save(model);
  optimizer_->save(optimizer);
  objective_->save(objective);
  batches_.save(batches);
  archive.write("model", model);
  archive.write("optimizer", optimizer);
  archive.write("objective", objective);
  archive.write("batches", batches);
  GeneratorSnapshot::capture().save(archive);
  save_atomically(archive, options_.checkpoint_path());
}

int64_t Trainer::resume(const std::string& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path, model_->parameters().front().device());
  c10::IValue value;
  archive.read("format", value);
  if (value.toInt() != kCheckpointFormat) {
    throw std::runtime_error(path + ": unsupported checkpoint format " + std::to_string(value.toInt()));
  }
  archive.read("model_type", value);
  if (value.toStringRef() != model_->type_name()) {
    throw std::runtime_error(path + ": checkpoint holds a '" + value.toStringRef() +
                             "' model, the config a '" + model_->type_name() + "'");
  }
  archive.read("step", value);
  step_ = value.toInt();
  archive.read("wall_s", value);
  wall_s_ = value.toDouble();
  archive.read("best", value);
  best_ = Metrics::parse(value.toStringRef());
  archive.read("last", value);
  last_ = Metrics::parse(value.toStringRef());
  torch::serialize::InputArchive model, optimizer, objective, batches;
  archive.read("model", model);
  archive.read("optimizer", optimizer);
  archive.read("objective", objective);
  archive.read("batches", batches);
  model_->load(model);
  optimizer_->load(optimizer);
  objective_->load(objective);
  batches_.load(batches);
  GeneratorSnapshot::load(archive).restore();
  spdlog::info("loaded checkpoint {} (step {})", path, step_);
  return step_;
}

}  // namespace ebm::trainers
