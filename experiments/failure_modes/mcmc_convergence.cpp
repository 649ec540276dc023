// mcmc_convergence: how to tell whether MCMC has converged, on targets whose answers are known.
//  1. Gibbs on a bivariate Gaussian with correlation rho: each coordinate is AR(1) with
//     coefficient rho^2, so its integrated autocorrelation time is (1 + rho^2) / (1 - rho^2)
//     (99.5 at rho = 0.99); the estimator of samplers/diagnostics.h must find it.
//  2. Chains stuck in different modes of a mixture: each chain alone looks stationary (its own
//     split-R-hat near 1), while split-R-hat across chains flags them (Vehtari et al. 2021).
//  3. Random-walk Metropolis on N(0, I_d): efficiency (ESS per draw) against the proposal scale
//     c / sqrt(d) peaks near c = 2.38, at an acceptance rate near 0.234 (Roberts, Gelman & Gilks 1997).
//  4. Gibbs against random-walk Metropolis on the correlated Gaussian, by effective samples per second.
#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "ebm/gaussian.h"
#include "experiments/study_support.h"
#include "samplers/diagnostics.h"
#include "samplers/gaussian_gibbs.h"
#include "samplers/random_walk.h"

namespace ebm::experiments {

namespace {

struct Run {
  samplers::Draws draws;   // the first coordinate, [chains, draws]
  double acceptance = 0;   // mean acceptance rate (Metropolis kernels)
  double seconds = 0;
};

Run sample(samplers::Sampler& sampler, EnergyModelImpl& model, torch::Tensor x, int64_t warmup, int64_t draws) {
  x = sampler.run(model, x, warmup);
  Run out{samplers::Draws(x.size(0), draws)};
  const auto start = std::chrono::steady_clock::now();
  std::vector<torch::Tensor> firsts;
  for (int64_t t = 0; t < draws; ++t) {
    x = sampler.run(model, x, 1);
    firsts.push_back(x.select(1, 0).clone());
    auto stats = samplers::host_statistics(sampler);
    if (stats.count("acceptance_rate")) out.acceptance += stats.at("acceptance_rate") / static_cast<double>(draws);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto all = torch::stack(firsts, 1).to(torch::kFloat64).contiguous();  // [chains, draws]
  for (int64_t c = 0; c < all.size(0); ++c) {
    for (int64_t t = 0; t < draws; ++t) out.draws(c, t) = all[c][t].item<double>();
  }
  return out;
}

Gaussian correlated(double rho) {
  auto covariance = torch::tensor({1.0, rho, rho, 1.0}, torch::kFloat64).view({2, 2});
  return Gaussian(torch::zeros({2}, torch::kFloat64), torch::linalg_cholesky(covariance));
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  torch::manual_seed(c.file.get<int64_t>("experiment.seed"));
  const int64_t chains = st.get<int64_t>("chains"), draws = st.get<int64_t>("draws"), warmup = st.get<int64_t>("warmup");
  Signature s;

  // 1. The autocorrelation time of Gibbs on the correlated Gaussian.
  const double rho = st.get<double>("rho");
  auto target = correlated(rho);
  samplers::GaussianGibbsSampler gibbs;
  auto g = sample(gibbs, *target, target->sample(chains), warmup, draws);
  const double tau_exact = (1 + rho * rho) / (1 - rho * rho);
  const double tau = samplers::integrated_autocorrelation_time(g.draws);
  const double tau_error = std::abs(tau / tau_exact - 1);
  s.figures["gibbs_autocorrelation_time"] = {{"measured", tau}, {"exact", tau_exact}, {"relative_error", tau_error}};

  // 2. Stuck chains: two modes at (-m, 0) and (m, 0); chains start half in each.
  const double m = st.get<double>("mode_distance") / 2;
  auto trils = torch::eye(2, torch::kFloat64).expand({2, 2, 2}).contiguous();
  GaussianMixture mixture(torch::tensor({0.5, 0.5}, torch::kFloat64), torch::tensor({-m, 0.0, m, 0.0}, torch::kFloat64).view({2, 2}), trils);
  auto starts = torch::zeros({4, 2}, torch::kFloat64);
  starts.index_put_({torch::indexing::Slice(0, 2), 0}, -m);
  starts.index_put_({torch::indexing::Slice(2, 4), 0}, m);
  samplers::RandomWalkSampler local(samplers::RandomWalkOptions().proposal_std(1.0));
  auto stuck = sample(local, *mixture, starts, warmup, draws);
  double worst_single = 0;
  for (int64_t ch = 0; ch < 4; ++ch) worst_single = std::max(worst_single, samplers::split_rhat(stuck.draws.row(ch)));
  const double rhat_all = samplers::split_rhat(stuck.draws);
  s.figures["stuck_chains"] = {{"largest_single_chain_split_rhat", worst_single}, {"split_rhat_across_chains", rhat_all}};

  // 3. Random-walk Metropolis efficiency against the scale on N(0, I_d).
  const int64_t d = st.get<int64_t>("dimension");
  Gaussian standard(torch::zeros({d}, torch::kFloat64), torch::eye(d, torch::kFloat64));
  reports::Series efficiency{"ESS per draw (x 100)", {}, {}, {}, reports::palette(0), true};
  reports::Series acceptance{"acceptance rate", {}, {}, {}, reports::palette(1), true};
  double best_c = 0, best_efficiency = -1, best_acceptance = 0;
  for (double scale : st.get<std::vector<double>>("scales")) {
    samplers::RandomWalkSampler rwm(samplers::RandomWalkOptions().proposal_std(scale / std::sqrt(static_cast<double>(d))));
    auto r = sample(rwm, *standard, standard->sample(chains), warmup, draws);
    const double e = samplers::effective_sample_size(r.draws) / static_cast<double>(r.draws.size());
    s.figures["random_walk_scales"][figure(scale)] = {{"ess_per_draw", e}, {"acceptance", r.acceptance}};
    efficiency.x.push_back(scale), efficiency.y.push_back(100 * e);
    acceptance.x.push_back(scale), acceptance.y.push_back(r.acceptance);
    if (e > best_efficiency) best_efficiency = e, best_c = scale, best_acceptance = r.acceptance;
  }
  s.figures["random_walk_best"] = {{"c", best_c}, {"acceptance", best_acceptance}, {"ess_per_draw", best_efficiency},
                                   {"dimension", d}};

  // 4. Gibbs against a tuned random walk (scale 2.38 / sqrt(2) times the narrow direction's std) on
  // the correlated Gaussian, by effective samples per second.
  samplers::RandomWalkSampler tuned(samplers::RandomWalkOptions().proposal_std(2.38 / std::sqrt(2.0) * std::sqrt(1 - rho)));
  auto r = sample(tuned, *target, target->sample(chains), warmup, draws);
  const double gibbs_per_s = samplers::effective_sample_size(g.draws) / g.seconds;
  const double rwm_per_s = samplers::effective_sample_size(r.draws) / r.seconds;
  s.figures["correlated_gaussian_ess_per_second"] = {
      {"gibbs", gibbs_per_s}, {"random_walk", rwm_per_s},
      {"gibbs_ess_per_draw", samplers::effective_sample_size(g.draws) / static_cast<double>(g.draws.size())},
      {"random_walk_ess_per_draw", samplers::effective_sample_size(r.draws) / static_cast<double>(r.draws.size())},
      {"random_walk_acceptance", r.acceptance}};

  s.headline = fmt::format("Gibbs IAT {} (exact {}); stuck chains: single-chain R-hat <= {}, across chains {}; "
                           "RWM best at c = {} (acceptance {}); ESS/s Gibbs {} vs RWM {}",
                           figure(tau), figure(tau_exact), figure(worst_single), figure(rhat_all), figure(best_c),
                           figure(best_acceptance), figure(gibbs_per_s), figure(rwm_per_s));
  reports::ChartOptions chart{fmt::format("random-walk Metropolis on N(0, I_{}): proposal std c / sqrt(d)", d), "c",
                              "ESS per draw x 100, acceptance"};
  reports::Series reference{"c = 2.38", {2.38, 2.38}, {0.0, 0.234}, {}, reports::palette(7), false};
  s.picture = write_chart(c, "random_walk_scaling.png", chart, {efficiency, acceptance, reference});
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double tau_tolerance = keys.get<double>("tau_tolerance");
  const double best_c = as_number(f["random_walk_best"]["c"]), acceptance = as_number(f["random_walk_best"]["acceptance"]);
  return {{"IAT within " + figure(100 * tau_tolerance) + "% of (1 + rho^2) / (1 - rho^2)",
           as_number(f["gibbs_autocorrelation_time"]["relative_error"]) < tau_tolerance},
          {"every stuck chain's own split-R-hat < 1.1", as_number(f["stuck_chains"]["largest_single_chain_split_rhat"]) < 1.1},
          {"while across chains > 1.1", as_number(f["stuck_chains"]["split_rhat_across_chains"]) > 1.1},
          {"random-walk efficiency peaks at c in [1.5, 3.5] with acceptance in (0.15, 0.4)",
           best_c >= 1.5 && best_c <= 3.5 && acceptance > 0.15 && acceptance < 0.4}};
}

const StudyRegistration registration(
    {"mcmc_convergence", "autocorrelation time against its closed form, R-hat against stuck chains, the 0.234 rule",
     {number("rho", value(0.99), -0.9999, 0.9999, "correlation of the bivariate Gaussian Gibbs samples"),
      number("tau_tolerance", value(0.15), 0, 1, "largest relative error of the measured autocorrelation time", true),
      number("mode_distance", value(10.0), 0, 1e3, "distance between the two modes of the stuck-chain mixture", true),
      integer("dimension", value(20), 1, 10000, "d of the random-walk target N(0, I_d)"),
      list("scales", values<double>({0.5, 1.0, 1.5, 2.0, 2.38, 3.0, 4.0, 5.0}), number("c", required(), 0, 1e3, "scale", true),
           "random-walk proposal std c / sqrt(d) for each c"),
      integer("chains", value(200), 4, 1e6, "chains per sampler"),
      integer("warmup", value(1000), 0, 1e8, "transitions discarded first"),
      integer("draws", value(5000), 8, 1e8, "draws kept per chain")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
