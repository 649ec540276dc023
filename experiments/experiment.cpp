#include "experiments/experiment.h"

#include <torch/torch.h>

#include <filesystem>
#include <thread>

#include "datasets/bars_and_stripes.h"
#include "experiments/run_directory.h"
#include "experiments/schema.h"
#include "ebm/bernoulli_rbm.h"
#include "samplers/block_gibbs.h"
#include "samplers/chain_source.h"
#include "samplers/parallel_tempering.h"
#include "trainers/contrastive.h"
#include "trainers/exact_log_likelihood.h"
#include "trainers/optimizer.h"

namespace ebm::experiments {

int set_threads(int64_t threads) {
  int n = threads > 0 ? static_cast<int>(threads)
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
  return n;
}

namespace {

datasets::Dataset make_data(const Config& c) {
  const auto type = c.get<std::string>("data.type");
  if (type == "bars_and_stripes") return datasets::bars_and_stripes(c.get<int64_t>("data.size"));
  c.fail("data.type", "no factory for '" + type + "'");
}

EnergyModelPtr make_model(const Config& c, const datasets::Dataset& data) {
  const auto type = c.get<std::string>("model.type");
  if (type == "bernoulli_rbm") {
    if (!data.is_binary()) c.fail("model.type", "bernoulli_rbm needs binary data; '" + data.name() + "' is not");
    auto rbm = BernoulliRBM(BernoulliRBMOptions(data.dim(), c.get<int64_t>("model.hidden"))
                                .init_std(c.get<double>("model.init_std")));
    if (c.get<bool>("model.visible_bias_from_data")) rbm->init_visible_bias_from(data.data());
    return rbm.ptr();
  }
  c.fail("model.type", "no factory for '" + type + "'");
}

std::shared_ptr<samplers::Sampler> make_sampler(const Config& c) {
  const auto type = c.get<std::string>("sampler.type");
  if (type == "gibbs") return std::make_shared<samplers::BlockGibbsSampler>();
  if (type == "parallel_tempering") {
    return std::make_shared<samplers::ParallelTemperingSampler>(
        samplers::ParallelTemperingOptions()
            .temperatures(c.get<int64_t>("sampler.temperatures"))
            .min_beta(c.get<double>("sampler.min_beta")));
  }
  c.fail("sampler.type", "no factory for '" + type + "'");
}

std::shared_ptr<trainers::Objective> make_objective(const Config& c,
                                                    std::shared_ptr<samplers::Sampler> sampler) {
  const auto type = c.get<std::string>("objective.type");
  if (type == "contrastive") {
    std::shared_ptr<samplers::ChainSource> source;
    if (c.get<std::string>("objective.chain_source") == "persistent") {
      source = std::make_shared<samplers::PersistentChainSource>(c.get<int64_t>("objective.chains"));
    } else {
      source = std::make_shared<samplers::DataChainSource>();
    }
    return std::make_shared<trainers::ContrastiveObjective>(
        std::move(sampler), std::move(source),
        trainers::ContrastiveOptions().sampler_steps(c.get<int64_t>("sampler.steps")));
  }
  c.fail("objective.type", "no factory for '" + type + "'");
}

trainers::OptimizerOptions optimizer_options(const Config& c) {
  const auto type = c.get<std::string>("optimizer.type");
  auto options = trainers::OptimizerOptions()
                     .type(type)
                     .lr(c.get<double>("optimizer.lr"))
                     .weight_decay(c.get<double>("optimizer.weight_decay"));
  if (type == "sgd") {
    options.momentum(c.get<double>("optimizer.momentum")).nesterov(c.get<bool>("optimizer.nesterov"));
  } else {
    options.beta1(c.get<double>("optimizer.beta1"))
        .beta2(c.get<double>("optimizer.beta2"))
        .eps(c.get<double>("optimizer.eps"));
  }
  return options;
}

}  // namespace

Experiment build_experiment(const Config& c, const std::string& default_name) {
  Experiment e;
  e.name = c.get<std::string>("name").empty() ? default_name : c.get<std::string>("name");
  if (c.get<std::string>("device") == "cuda") {
    if (!torch::cuda::is_available()) c.fail("device", "CUDA is not available on this machine or in this LibTorch");
    e.device = torch::kCUDA;
  }
  const auto dtype = c.get<std::string>("dtype") == "float64" ? torch::kFloat64 : torch::kFloat32;
  set_threads(c.get<int64_t>("threads"));
  torch::manual_seed(c.get<uint64_t>("seed"));

  e.data = std::make_shared<datasets::Dataset>(make_data(c).to(e.device, dtype));
  e.model = make_model(c, *e.data);
  e.model->to(e.device, dtype);
  e.sampler = make_sampler(c);
  e.objective = make_objective(c, e.sampler);
  e.optimizer = trainers::make_optimizer(e.model->parameters(), optimizer_options(c));
  if (c.get<bool>("eval.exact_ll")) e.evaluators.push_back(std::make_shared<trainers::ExactLogLikelihood>());

  try {
    e.objective->check_model(*e.model);
  } catch (const std::invalid_argument& error) {
    c.fail("objective.type", error.what());
  }
  for (const auto& evaluator : e.evaluators) {
    try {
      evaluator->check_model(*e.model);
    } catch (const std::invalid_argument& error) {
      c.fail("eval." + evaluator->primary_metric(), std::string(error.what()) + " (set it to false)");
    }
  }
  const auto log_every = c.get<int64_t>("train.log_every");
  const auto checkpoint_every = c.get<int64_t>("train.checkpoint_every");
  if (checkpoint_every % log_every != 0) {
    c.fail("train.checkpoint_every", "must be a multiple of train.log_every (" + std::to_string(log_every) + ")");
  }
  e.train_options = trainers::TrainerOptions()
                        .steps(c.get<int64_t>("train.steps"))
                        .batch_size(c.get<int64_t>("train.batch_size"))
                        .lr_schedule(c.get<std::string>("train.lr_schedule"))
                        .log_every(log_every)
                        .checkpoint_every(checkpoint_every);
  return e;
}

Experiment load_trained_experiment(const std::string& run_dir, int64_t* step,
                                   const std::vector<std::string>& overrides) {
  auto run = RunDirectory::open(run_dir);
  Config config = Config::load(run.config_path(), overrides, experiment_schema());
  Experiment e = build_experiment(config, config.get<std::string>("name"));
  // The trainer owns the checkpoint layout; restoring through it restores the model.
  trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, {}, e.train_options);
  *step = trainer.resume(run.checkpoint_path());
  return e;
}

Experiment load_experiment(const std::string& config_path, const std::vector<std::string>& overrides,
                           const std::string& run_dir, int64_t* step) {
  if (config_path.empty() == run_dir.empty()) throw ConfigError("give a CONFIG file or --run DIR (one of them)");
  if (!run_dir.empty()) return load_trained_experiment(run_dir, step, overrides);
  *step = 0;
  Config config = Config::load(config_path, overrides, experiment_schema());
  return build_experiment(config, std::filesystem::path(config_path).stem().string());
}

}  // namespace ebm::experiments
