#include "experiments/experiment.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <thread>

#include "datasets/bars_and_stripes.h"
#include "datasets/toy_2d.h"
#include "datasets/idx.h"
#include "ebm/conv_energy.h"
#include "ebm/simple_densities.h"
#include "ebm/mlp_energy.h"
#include "experiments/run_directory.h"
#include "experiments/schema.h"
#include "ebm/bernoulli_rbm.h"
#include "samplers/block_gibbs.h"
#include "samplers/chain_source.h"
#include "samplers/hmc.h"
#include "samplers/langevin.h"
#include "samplers/random_walk.h"
#include "samplers/parallel_tempering.h"
#include "trainers/bit_flip_objectives.h"
#include "trainers/contrastive.h"
#include "trainers/nce.h"
#include "trainers/score_matching.h"
#include "trainers/density_metrics.h"
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
  if (type == "fashion_mnist") {
    try {
      return datasets::fashion_mnist(c.get<int64_t>("data.train_size"), c.get<int64_t>("data.held_out"));
    } catch (const std::runtime_error& error) {
      c.fail("data.type", error.what());
    }
  }
  return datasets::toy_2d(type, c.get<int64_t>("data.train_size"), c.get<int64_t>("data.held_out"));
}

std::shared_ptr<AnalyticDensity> make_truth(const Config& c) {
  auto mixture = datasets::toy_2d_mixture(c.get<std::string>("data.type"));
  if (!mixture) return nullptr;
  const int64_t k = mixture->means.size(0);
  auto trils = mixture->std * torch::eye(2, torch::kFloat64).expand({k, 2, 2});
  return GaussianMixture(mixture->weights, mixture->means, trils).ptr();
}

// The data's bounding square widened by 25% on each side, or [-grid_box, grid_box]^2.
QuadratureGrid make_grid(const Config& c, const datasets::Dataset& data) {
  auto grid = QuadratureGrid().resolution(c.get<int64_t>("eval.grid_resolution"));
  const double box = c.get<double>("eval.grid_box");
  if (box > 0) return grid.lo(-box).hi(box);
  const double lo = data.data().min().item<double>(), hi = data.data().max().item<double>();
  return grid.lo(lo - 0.25 * (hi - lo)).hi(hi + 0.25 * (hi - lo));
}

EnergyModelPtr make_model(const Config& c, const datasets::Dataset& data, const std::shared_ptr<AnalyticDensity>& truth) {
  const auto type = c.get<std::string>("model.type");
  if (type == "bernoulli_rbm") {
    if (!data.is_binary()) c.fail("model.type", "bernoulli_rbm needs binary data; '" + data.name() + "' is not");
    auto rbm = BernoulliRBM(BernoulliRBMOptions(data.dim(), c.get<int64_t>("model.hidden"))
                                .init_std(c.get<double>("model.init_std")));
    if (c.get<bool>("model.visible_bias_from_data")) rbm->init_visible_bias_from(data.data());
    return rbm.ptr();
  }
  if (data.is_binary()) c.fail("model.type", type + " models continuous data; '" + data.name() + "' is binary");
  if (type == "mlp") {
    std::vector<int64_t> widths(static_cast<size_t>(c.get<int64_t>("model.depth") - 1), c.get<int64_t>("model.width"));
    return MLPEnergy(MLPEnergyOptions(data.dim(), widths)
                         .activation(c.get<std::string>("model.activation"))
                         .spectral_norm(c.get<bool>("model.spectral_norm")))
        .ptr();
  }
  if (type == "convnet") {
    const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(data.dim()))));
    if (side * side != data.dim()) c.fail("model.type", "convnet needs square single-channel images; '" + data.name() + "' rows have " + std::to_string(data.dim()) + " values");
    return ConvEnergy(ConvEnergyOptions(1, side, side).base_channels(c.get<int64_t>("model.base_channels"))).ptr();
  }
  if (type == "gaussian") {
    return Gaussian(torch::zeros({data.dim()}), torch::eye(data.dim())).ptr();
  }
  if (type == "data_density") {
    if (!truth) c.fail("model.type", "data_density needs data with a known density (eight_gaussians, grid_25), not '" + data.name() + "'");
    // A copy of its own: an objective training it must not move the truth true_ll scores against.
    return make_truth(c);
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
  if (type == "langevin") {
    return std::make_shared<samplers::LangevinSampler>(samplers::LangevinOptions()
                                                           .step_size(c.get<double>("sampler.step_size"))
                                                           .noise_scale(c.get<double>("sampler.noise_scale"))
                                                           .grad_clip(c.get<double>("sampler.grad_clip")));
  }
  if (type == "mala") return std::make_shared<samplers::MALASampler>(samplers::MALAOptions().step_size(c.get<double>("sampler.step_size")));
  if (type == "hmc") {
    return std::make_shared<samplers::HMCSampler>(samplers::HMCOptions()
                                                      .step_size(c.get<double>("sampler.step_size"))
                                                      .leapfrog_steps(c.get<int64_t>("sampler.leapfrog_steps")));
  }
  if (type == "random_walk") {
    return std::make_shared<samplers::RandomWalkSampler>(
        samplers::RandomWalkOptions().proposal_std(c.get<double>("sampler.proposal_std")));
  }
  c.fail("sampler.type", "no factory for '" + type + "'");
}

// NCE's noise, fitted to the training data, in double on the data's device.
std::shared_ptr<AnalyticDensity> make_noise_density(const Config& c, const datasets::Dataset& data) {
  const auto kind = c.get<std::string>("objective.noise");
  auto x = data.data().to(torch::kFloat64);
  if (kind == "bernoulli") {
    if (!data.is_binary()) c.fail("objective.noise", "bernoulli noise needs binary data; '" + data.name() + "' is not");
    return BernoulliProduct(x.mean(0)).ptr();
  }
  if (data.is_binary()) c.fail("objective.noise", kind + " noise is continuous; use bernoulli for binary data");
  if (kind == "uniform") {
    auto low = std::get<0>(x.min(0)), high = std::get<0>(x.max(0));
    auto margin = 0.1 * (high - low);
    return UniformBox(low - margin, high + margin).ptr();
  }
  auto mean = x.mean(0);
  auto centred = x - mean;
  auto covariance = centred.t().mm(centred) / static_cast<double>(x.size(0) - 1) +
                    1e-6 * torch::eye(x.size(1), x.options());
  return Gaussian(mean, torch::linalg_cholesky(covariance)).ptr();
}

std::shared_ptr<trainers::Objective> make_objective(const Config& c, std::shared_ptr<samplers::Sampler> sampler,
                                                    const datasets::Dataset& data) {
  const auto type = c.get<std::string>("objective.type");
  if (type == "contrastive") {
    const auto chains = c.get<int64_t>("objective.chains");
    const auto where = c.get<std::string>("objective.chain_source");
    auto noise = samplers::NoiseChainSource::around(data.data(), data.is_binary(), chains);
    std::shared_ptr<samplers::ChainSource> source;
    if (where == "persistent") {
      source = std::make_shared<samplers::PersistentChainSource>(chains);
    } else if (where == "noise") {
      source = std::make_shared<samplers::NoiseChainSource>(noise);
    } else if (where == "replay") {
      source = std::make_shared<samplers::ReplayBufferSource>(noise, c.get<int64_t>("objective.buffer_size"),
                                                              c.get<double>("objective.reinit_prob"), chains);
    } else {
      source = std::make_shared<samplers::DataChainSource>();
    }
    return std::make_shared<trainers::ContrastiveObjective>(
        std::move(sampler), std::move(source),
        trainers::ContrastiveOptions()
            .sampler_steps(c.get<int64_t>("sampler.steps"))
            .energy_l2(c.get<double>("objective.energy_l2")));
  }
  if (type == "score_matching") return std::make_shared<trainers::ExactScoreMatching>();
  if (type == "denoising_score_matching") {
    return std::make_shared<trainers::DenoisingScoreMatching>(trainers::DenoisingScoreMatchingOptions()
                                                                  .noise_std(c.get<double>("objective.noise_std"))
                                                                  .scales(c.get<int64_t>("objective.scales"))
                                                                  .scale_ratio(c.get<double>("objective.scale_ratio")));
  }
  if (type == "sliced_score_matching") {
    return std::make_shared<trainers::SlicedScoreMatching>(
        trainers::SlicedScoreMatchingOptions()
            .projections(c.get<int64_t>("objective.projections"))
            .distribution(c.get<std::string>("objective.distribution"))
            .variance_reduced(c.get<bool>("objective.variance_reduced")));
  }
  if (type == "nce") {
    return std::make_shared<trainers::NoiseContrastiveEstimation>(
        make_noise_density(c, data), trainers::NCEOptions().noise_ratio(c.get<double>("objective.noise_ratio")));
  }
  if (type == "pseudo_likelihood" || type == "ratio_matching" || type == "mpf") {
    return std::make_shared<trainers::BitFlipObjective>(type);
  }
  c.fail("objective.type", "no factory for '" + type + "'");
}

std::vector<std::shared_ptr<trainers::Evaluator>> make_evaluators(const Config& c, const Experiment& e) {
  std::vector<std::shared_ptr<trainers::Evaluator>> evaluators;
  if (c.get<bool>("eval.exact_ll")) evaluators.push_back(std::make_shared<trainers::ExactLogLikelihood>());
  if (c.get<bool>("eval.grid_ll")) evaluators.push_back(std::make_shared<trainers::GridLogLikelihood>(e.grid));
  if (c.get<bool>("eval.true_ll")) {
    if (!e.truth) c.fail("eval.true_ll", "the density of '" + e.data->name() + "' is not known (set it to false)");
    evaluators.push_back(std::make_shared<trainers::TrueLogLikelihood>(e.truth));
  }
  const auto samples = c.get<int64_t>("eval.samples");
  if (c.get<bool>("eval.mode_coverage")) {
    auto mixture = datasets::toy_2d_mixture(e.data->name());
    if (!mixture) c.fail("eval.mode_coverage", "'" + e.data->name() + "' is not a mixture with known modes (set it to false)");
    evaluators.push_back(std::make_shared<trainers::ModeCoverage>(mixture->means, mixture->std, e.grid, samples));
  }
  if (c.get<bool>("eval.mmd2")) evaluators.push_back(std::make_shared<trainers::MMD>(e.grid, samples));
  return evaluators;
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
  e.truth = make_truth(c);
  e.grid = make_grid(c, *e.data);
  e.model = make_model(c, *e.data, e.truth);
  e.model->to(e.device, dtype);
  e.sampler = make_sampler(c);
  e.objective = make_objective(c, e.sampler, *e.data);
  auto trained = e.model->parameters();
  for (const auto& p : e.objective->parameters()) trained.push_back(p);
  e.optimizer = trainers::make_optimizer(trained, optimizer_options(c));
  e.evaluators = make_evaluators(c, e);

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
                        .grad_clip(c.get<double>("train.grad_clip"))
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
