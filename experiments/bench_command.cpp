#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <iostream>

#include "datasets/dataset.h"
#include "ebm/bernoulli_rbm.h"
#include "experiments/commands.h"
#include "experiments/step_timer.h"
#include "experiments/experiment.h"
#include "experiments/system_info.h"
#include "samplers/block_gibbs.h"
#include "samplers/chain_source.h"
#include "samplers/langevin.h"
#include "trainers/score_matching.h"
#include "ebm/mlp_energy.h"
#include <chrono>
#include "trainers/contrastive.h"
#include "trainers/optimizer.h"
#include "trainers/trainer.h"

namespace ebm::experiments {

// Times CD-k training steps of a Bernoulli RBM through the real training loop (Trainer,
// contrastive objective, Gibbs sampler, SGD), on random binary data of density 0.13 as in
// ../shared/bench/rbm_torch.py. FLOPs are counted as that script does: (1 + 2k + 2) products
// of 2 * batch * visible * hidden.
int bench_rbm_command(const RbmBenchArguments& a) {
  const int threads = set_threads(a.threads);
  spdlog::info("bench rbm: {}x{}, batch {}, CD-{}, {} threads, BLAS {}", a.visible, a.hidden,
               a.batch, a.k, threads, blas_description());
  const auto dtype = a.dtype == "float64" ? torch::kFloat64 : torch::kFloat32;
  torch::manual_seed(0);
  datasets::Dataset data((torch::rand({a.batch * 10, a.visible}) < 0.13).to(dtype), "random_binary");

  auto run = [&](int64_t steps) {
    auto rbm = BernoulliRBM(BernoulliRBMOptions(a.visible, a.hidden));
    rbm->to(dtype);
    auto objective = std::make_shared<trainers::ContrastiveObjective>(
        std::make_shared<samplers::BlockGibbsSampler>(), std::make_shared<samplers::DataChainSource>(),
        trainers::ContrastiveOptions().sampler_steps(a.k));
    trainers::Trainer trainer(rbm.ptr(), objective,
                              trainers::make_sgd(rbm->parameters(), torch::optim::SGDOptions(0.01), 0),
                              data, {}, trainers::TrainerOptions().steps(steps).batch_size(a.batch).log_every(steps));
    return trainer.run().final["steps_per_s"].get<double>();
  };
  run(10);  // warm-up: allocator, BLAS thread pool
  const double steps_per_s = run(a.steps);
  const double flops_per_step = 2.0 * a.batch * a.visible * a.hidden * (1 + 2 * a.k + 2);
  nlohmann::ordered_json out = {{"impl", "ebm-cpp"},
                                {"bench", "rbm"},
                                {"visible", a.visible},
                                {"hidden", a.hidden},
                                {"batch", a.batch},
                                {"k", a.k},
                                {"dtype", a.dtype},
                                {"samples_per_s", steps_per_s * a.batch},
                                {"gflops", steps_per_s * flops_per_step / 1e9},
                                {"threads", threads},
                                {"blas", blas_description()}};
  std::cout << out.dump() << std::endl;
  return 0;
}

// Times unadjusted Langevin steps (ε = 0.01) of `chains` chains on a random SiLU MLP energy,
// as ../shared/bench/langevin_torch.py does: 20 warm-up steps, then `steps` timed ones.
int bench_langevin_command(const LangevinBenchArguments& a) {
  const int threads = set_threads(a.threads);
  spdlog::info("bench langevin: MLP {}-{}x{}-1, {} chains, {} threads", a.dim, a.width, a.depth - 1, a.chains, threads);
  torch::manual_seed(0);
  auto mlp = MLPEnergy(MLPEnergyOptions(a.dim, std::vector<int64_t>(static_cast<size_t>(a.depth - 1), a.width)));
  for (auto& p : mlp->parameters()) p.requires_grad_(false);
  samplers::LangevinSampler langevin(samplers::LangevinOptions().step_size(0.01));
  auto x = langevin.run(*mlp, torch::randn({a.chains, a.dim}), 20);
  const auto start = std::chrono::steady_clock::now();
  x = langevin.run(*mlp, x, a.steps);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::ordered_json out = {{"impl", "ebm-cpp"},
                                {"bench", "langevin"},
                                {"dim", a.dim},
                                {"width", a.width},
                                {"depth", a.depth},
                                {"chains", a.chains},
                                {"steps_per_s", static_cast<double>(a.steps) / seconds},
                                {"chain_steps_per_s", static_cast<double>(a.steps * a.chains) / seconds},
                                {"threads", threads}};
  std::cout << out.dump() << std::endl;
  return 0;
}

// Times training steps (loss, backward, Adam) of exact, sliced and denoising score matching on
// an MLP energy of random Gaussian data, for each dimension: exact score matching needs one
// backward pass per dimension for the Hessian trace, the other two a fixed number.
int bench_objectives_command(const ObjectivesBenchArguments& a) {
  const int threads = set_threads(a.threads);
  for (int64_t dim : a.dims) {
    for (const std::string name : {"score_matching", "sliced_score_matching", "denoising_score_matching"}) {
      torch::manual_seed(0);
      auto mlp = MLPEnergy(MLPEnergyOptions(dim, std::vector<int64_t>(static_cast<size_t>(a.depth - 1), a.width)));
      std::shared_ptr<trainers::Objective> objective;
      if (name == "score_matching") objective = std::make_shared<trainers::ExactScoreMatching>();
      if (name == "sliced_score_matching") objective = std::make_shared<trainers::SlicedScoreMatching>();
      if (name == "denoising_score_matching") objective = std::make_shared<trainers::DenoisingScoreMatching>();
      torch::optim::Adam adam(mlp->parameters(), torch::optim::AdamOptions(1e-4));
      auto data = torch::randn({a.batch, dim});
      auto step = [&] {
        adam.zero_grad();
        objective->compute(*mlp, data).loss.backward();
        adam.step();
      };
      const double seconds = seconds_per_step(step, a.steps);
      nlohmann::ordered_json out = {{"impl", "ebm-cpp"}, {"bench", "objectives"}, {"objective", name},
                                    {"dim", dim}, {"width", a.width}, {"depth", a.depth}, {"batch", a.batch},
                                    {"ms_per_step", 1e3 * seconds}, {"threads", threads}};
      std::cout << out.dump() << std::endl;
    }
  }
  return 0;
}

}  // namespace ebm::experiments
