// The MCMC kernels a config can name (sampler.type), and where contrastive chains start
// (objective.chain_source).
#include <torch/torch.h>

#include "config/components.h"
#include "distributed/world.h"
#include "samplers/annealed_langevin.h"
#include "samplers/block_gibbs.h"
#include "samplers/colour_gibbs.h"
#include "samplers/gaussian_gibbs.h"
#include "samplers/gibbs_with_gradients.h"
#include "samplers/hmc.h"
#include "samplers/langevin.h"
#include "samplers/parallel_tempering.h"
#include "samplers/random_walk.h"

namespace ebm::experiments {

namespace {

std::vector<Component<SamplerFactory>> samplers() {
  const Accepts latent = Accepts().with_latent_variables(), continuous = Accepts::only(Domain::Continuous),
                binary = Accepts::only(Domain::Binary);
  Accepts graph = Accepts::only({Domain::Binary, Domain::Discrete});
  graph.graph = true;
  Accepts gaussian = continuous;
  gaussian.gaussian = true;
  // Defaults come from the options structs.
  const samplers::ParallelTemperingOptions pt;
  const samplers::LangevinOptions langevin;
  const samplers::MALAOptions mala;
  const samplers::HMCOptions hmc;
  const samplers::RandomWalkOptions walk;
  const samplers::AnnealedLangevinOptions annealed;
  return {
      {"gibbs", "block Gibbs: h ~ p(h|v), then v ~ p(v|h)",
       {integer("steps", value(1), 1, 1e6, "transitions per training step (the k of CD-k)")},
       latent,
       [](const SectionConfig&) { return std::make_shared<samplers::BlockGibbsSampler>(); }},
      {"parallel_tempering", "replicas at inverse temperatures up to 1 with neighbour swaps (Swendsen & Wang 1986)",
       {integer("steps", value(1), 1, 1e6, "sweeps (Gibbs on every replica, then swaps) per training step"),
        integer("temperatures", value(pt.temperatures()), 2, 1000, "replicas, the beta = 1 chain included"),
        number("min_beta", value(pt.min_beta()), 0, 0.999999,
               "the hottest replica's inverse temperature; the ladder is evenly spaced in beta up to 1")},
       latent,
       [](const SectionConfig& c) {
         return std::make_shared<samplers::ParallelTemperingSampler>(
             samplers::ParallelTemperingOptions()
                 .temperatures(c.get<int64_t>("temperatures"))
                 .min_beta(c.get<double>("min_beta")));
       }},
      {"langevin", "unadjusted Langevin dynamics",
       {integer("steps", value(20), 1, 1e6, "Langevin steps per training step"),
        number("step_size", value(langevin.step_size()), 0, 1e3, "eps in x' = x - (eps/2) grad E + noise_scale xi", true),
        number("noise_scale", value(langevin.noise_scale()), -1, 1e3, "noise std; -1 = sqrt(step_size), the exact discretisation"),
        number("grad_clip", value(langevin.grad_clip()), 0, 1e6, "clamp each gradient element to +-grad_clip; 0 = off")},
       continuous,
       [](const SectionConfig& c) {
         return std::make_shared<samplers::LangevinSampler>(samplers::LangevinOptions()
                                                                .step_size(c.get<double>("step_size"))
                                                                .noise_scale(c.get<double>("noise_scale"))
                                                                .grad_clip(c.get<double>("grad_clip")));
       }},
      {"mala", "Metropolis-adjusted Langevin (Roberts & Tweedie 1996)",
       {integer("steps", value(20), 1, 1e6, "Metropolis-adjusted Langevin steps per training step"),
        number("step_size", value(mala.step_size()), 0, 1e3, "eps of the Langevin proposal", true)},
       continuous,
       [](const SectionConfig& c) {
         return std::make_shared<samplers::MALASampler>(samplers::MALAOptions().step_size(c.get<double>("step_size")));
       }},
      {"hmc", "Hamiltonian Monte Carlo with a leapfrog integrator (Neal 2011)",
       {integer("steps", value(5), 1, 1e6, "trajectories per training step"),
        number("step_size", value(hmc.step_size()), 0, 1e3, "leapfrog step", true),
        integer("leapfrog_steps", value(hmc.leapfrog_steps()), 1, 1e5, "leapfrog steps per trajectory")},
       continuous,
       [](const SectionConfig& c) {
         return std::make_shared<samplers::HMCSampler>(samplers::HMCOptions()
                                                           .step_size(c.get<double>("step_size"))
                                                           .leapfrog_steps(c.get<int64_t>("leapfrog_steps")));
       }},
      {"random_walk", "random-walk Metropolis-Hastings",
       {integer("steps", value(50), 1, 1e7, "Metropolis-Hastings steps per training step"),
        number("proposal_std", value(walk.proposal_std()), 0, 1e3, "Gaussian proposal std (binary models flip one unit)", true)},
       Accepts::only({Domain::Binary, Domain::Continuous}),  // a flipped bit would leave spins and one-hot states
       [](const SectionConfig& c) {
         return std::make_shared<samplers::RandomWalkSampler>(
             samplers::RandomWalkOptions().proposal_std(c.get<double>("proposal_std")));
       }},
      {"random_scan_gibbs", "random-scan single-site Gibbs: one uniformly chosen unit drawn from its conditional (heat bath)",
       {integer("steps", value(50), 1, 1e7, "single-unit updates per training step")},
       binary,
       [](const SectionConfig&) { return std::make_shared<samplers::RandomWalkSampler>(samplers::RandomWalkOptions().heat_bath(true)); }},
      {"colour_gibbs",
       "block Gibbs over a colouring of a pairwise model's graph: every unit of one colour drawn at once from its "
       "conditional, colour after colour (the checkerboard on a lattice)",
       {integer("steps", value(1), 1, 1e6, "sweeps (every colour once) per training step")},
       graph,
       [](const SectionConfig&) { return std::make_shared<samplers::ColourGibbsSampler>(); }},
      {"gibbs_with_gradients",
       "Metropolis-Hastings whose one-variable proposal follows the energy's gradient (Grathwohl et al. 2021)",
       {integer("steps", value(50), 1, 1e7, "proposals per training step"),
        integer("categories", value(0), 0, 1e6, "0: binary units; K >= 2: each K columns one one-hot categorical variable")},
       binary,
       [](const SectionConfig& c) {
         if (c.get<int64_t>("categories") == 1) c.fail("categories", "is 0 (binary units) or at least 2");
         return std::make_shared<samplers::GibbsWithGradientsSampler>(
             samplers::GibbsWithGradientsOptions().categories(c.get<int64_t>("categories")));
       }},
      {"annealed_langevin",
       "Langevin down a ladder of smoothed targets to the model: noise scales for analytic densities, temperatures "
       "for any energy (Song & Ermon 2019)",
       {integer("steps", value(1), 1, 1e6, "passes down the whole ladder per training step"),
        choice("ladder", value(annealed.ladder()), {"noise", "temperature"},
               "noise: p * N(0, sigma^2 I) (gaussian and mixture densities); temperature: exp(-beta E)"),
        integer("levels", value(annealed.levels()), 1, 1e4, "rungs of the ladder, the model itself the last"),
        integer("steps_per_level", value(annealed.steps_per_level()), 1, 1e7, "Langevin steps on each rung"),
        number("step_size", value(annealed.step_size()), 0, 1e3, "eps at the model; larger on smoother rungs", true),
        number("sigma_max", value(annealed.sigma_max()), 0, 1e6, "noise ladder: the largest noise std (then down to sigma_max/100)", true),
        number("beta_min", value(annealed.beta_min()), 0, 1, "temperature ladder: the smallest inverse temperature", true)},
       continuous,
       [](const SectionConfig& c) {
         return std::make_shared<samplers::AnnealedLangevinSampler>(samplers::AnnealedLangevinOptions()
                                                                        .ladder(c.get<std::string>("ladder"))
                                                                        .levels(c.get<int64_t>("levels"))
                                                                        .steps_per_level(c.get<int64_t>("steps_per_level"))
                                                                        .step_size(c.get<double>("step_size"))
                                                                        .sigma_max(c.get<double>("sigma_max"))
                                                                        .beta_min(c.get<double>("beta_min")));
       }},
      {"gaussian_gibbs", "systematic-scan Gibbs by the exact coordinate-wise conditionals of a Gaussian",
       {integer("steps", value(1), 1, 1e7, "sweeps over the coordinates per training step")},
       gaussian,
       [](const SectionConfig&) { return std::make_shared<samplers::GaussianGibbsSampler>(); }}};
}

// This process's share of a count the config gives for the whole job: in a data-parallel job
// (distributed/world.h) each rank keeps 1/W of the chains and of the replay buffer.
int64_t this_ranks_share(const SectionConfig& c, const std::string& key) {
  const int64_t total = c.get<int64_t>(key);
  const auto& world = distributed::World::joined();
  if (!world) return total;
  if (total % world->size() != 0) {
    c.fail(key, std::to_string(total) + " does not split evenly over the job's " + std::to_string(world->size()) + " processes");
  }
  return total / world->size();
}

samplers::NoiseChainSource noise_around(const SectionConfig& c, const Experiment& e) {
  return samplers::NoiseChainSource::around(e.data->data(), e.data->is_binary(), this_ranks_share(c, "chains"));
}

std::vector<Component<ChainSourceFactory>> chain_sources() {
  // Noise is coin flips or a uniform box: no state of a model of spins or categories.
  const Accepts bits_or_reals = Accepts::only({Domain::Binary, Domain::Continuous});
  return {
      {"data", "chains restart at the data batch every step: CD-k (Hinton 2002)", {}, {},
       [](const SectionConfig&, const Experiment&) { return std::make_shared<samplers::DataChainSource>(); }},
      {"persistent", "chains continue where the last update left them: PCD (Tieleman 2008)", {}, {},
       [](const SectionConfig& c, const Experiment&) {
         return std::make_shared<samplers::PersistentChainSource>(this_ranks_share(c, "chains"));
       }},
      {"noise",
       "chains restart from noise every step: short-run MCMC (Nijkamp et al. 2019); noise is uniform on the "
       "data's box widened by 10%, or coin flips for binary data",
       {}, bits_or_reals,
       [](const SectionConfig& c, const Experiment& e) {
         return std::make_shared<samplers::NoiseChainSource>(noise_around(c, e));
       }},
      {"replay", "chains start from a buffer of past negatives, each restarted from noise with a small chance "
                 "(Du & Mordatch 2019)",
       {integer("buffer_size", value(10000), 1, 1e8, "replay buffer capacity"),
        number("reinit_prob", value(0.05), 0, 1, "replay: chance that a chain restarts from noise")},
       bits_or_reals,
       [](const SectionConfig& c, const Experiment& e) {
         return std::make_shared<samplers::ReplayBufferSource>(noise_around(c, e), this_ranks_share(c, "buffer_size"),
                                                               c.get<double>("reinit_prob"), this_ranks_share(c, "chains"));
       }}};
}

}  // namespace

const Registry<SamplerFactory>& sampler_registry() {
  static const Registry<SamplerFactory> registry("sampler", "gibbs", "the MCMC kernel of the negative phase", samplers());
  return registry;
}

const Registry<ChainSourceFactory>& chain_source_registry() {
  static const Registry<ChainSourceFactory> registry("chain_source", "data", "where negative chains start",
                                                     chain_sources());
  return registry;
}

}  // namespace ebm::experiments
