// langevin_discretisation_bias: unadjusted Langevin is biased. On N(0, 1), the step
//   x' = x - (eps/2) x + sqrt(eps) xi = (1 - eps/2) x + sqrt(eps) xi
// is AR(1) with stationary variance eps / (1 - (1 - eps/2)^2) = 1 / (1 - eps/4), above 1 at every
// step size, while MALA's Metropolis correction (Roberts & Tweedie 1996) makes N(0, 1) exactly
// stationary at any step size, at an acceptance rate that falls as eps grows.
#include <torch/torch.h>

#include <cmath>

#include "ebm/gaussian.h"
#include "experiments/study_support.h"
#include "samplers/langevin.h"

namespace ebm::experiments {

namespace {

struct Moments {
  double variance = 0, acceptance = 0;
};

// The variance of `chains` chains over `snapshots` states spaced by about two relaxation times
// of the AR(1) step, after a warm-up of ten.
Moments stationary(samplers::Sampler& sampler, EnergyModelImpl& target, double eps, int64_t chains, int64_t snapshots) {
  const auto relax = static_cast<int64_t>(std::ceil(2.0 / eps));
  auto x = torch::randn({chains, 1}, torch::kFloat64) * 2;  // over-dispersed starts
  x = sampler.run(target, x, 10 * relax);
  Moments m;
  for (int64_t s = 0; s < snapshots; ++s) {
    x = sampler.run(target, x, 2 * relax);
    m.variance += x.pow(2).mean().item<double>() / static_cast<double>(snapshots);
    auto stats = samplers::host_statistics(sampler);
    if (stats.count("acceptance_rate")) m.acceptance += stats.at("acceptance_rate") / static_cast<double>(snapshots);
  }
  return m;
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  torch::manual_seed(c.file.get<int64_t>("experiment.seed"));
  const int64_t chains = st.get<int64_t>("chains"), snapshots = st.get<int64_t>("snapshots");
  Gaussian target(torch::zeros({1}, torch::kFloat64), torch::ones({1, 1}, torch::kFloat64));
  Signature s;
  reports::Series ula{"unadjusted Langevin", {}, {}, {}, reports::palette(0), true};
  reports::Series theory{"1 / (1 - eps/4)", {}, {}, {}, reports::palette(7)};
  reports::Series mala{"MALA", {}, {}, {}, reports::palette(1), true};
  reports::Series acceptance{"MALA acceptance", {}, {}, {}, reports::palette(2), true};
  double worst_ula = 0, worst_mala = 0;
  for (double eps : st.get<std::vector<double>>("step_sizes")) {
    samplers::LangevinSampler langevin(samplers::LangevinOptions().step_size(eps));
    samplers::MALASampler adjusted(samplers::MALAOptions().step_size(eps));
    const auto u = stationary(langevin, *target, eps, chains, snapshots);
    const auto m = stationary(adjusted, *target, eps, chains, snapshots);
    const double exact = 1 / (1 - eps / 4);
    const double ula_error = std::abs(u.variance / exact - 1), mala_error = std::abs(m.variance - 1);
    worst_ula = std::max(worst_ula, ula_error), worst_mala = std::max(worst_mala, mala_error);
    s.figures["step " + figure(eps)] = {{"ula_variance", u.variance}, {"ula_exact", exact}, {"mala_variance", m.variance},
                                        {"mala_acceptance", m.acceptance}};
    ula.x.push_back(eps), ula.y.push_back(u.variance);
    theory.x.push_back(eps), theory.y.push_back(exact);
    mala.x.push_back(eps), mala.y.push_back(m.variance);
    acceptance.x.push_back(eps), acceptance.y.push_back(m.acceptance);
  }
  s.figures["worst_ula_relative_error"] = worst_ula;
  s.figures["worst_mala_relative_error"] = worst_mala;
  const double largest = ula.x.back();
  s.headline = fmt::format("ULA variance at eps {}: {} (theory {}), MALA {}; worst errors: ULA {}, MALA {}", figure(largest),
                           figure(ula.y.back()), figure(theory.y.back()), figure(mala.y.back()), figure(worst_ula),
                           figure(worst_mala));
  s.picture = write_chart(c, "langevin_bias.png",
                          {"stationary variance on N(0, 1) against the step size", "eps", "variance, acceptance"},
                          {ula, theory, mala, acceptance});
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double tolerance = keys.get<double>("tolerance");
  bool ula_ok = true, mala_ok = true, falls = true;
  double previous_acceptance = 2;
  for (double eps : keys.get<std::vector<double>>("step_sizes")) {
    auto& at = f["step " + figure(eps)];
    ula_ok = ula_ok && std::abs(as_number(at["ula_variance"]) / as_number(at["ula_exact"]) - 1) < tolerance;
    mala_ok = mala_ok && std::abs(as_number(at["mala_variance"]) - 1) < tolerance;
    falls = falls && as_number(at["mala_acceptance"]) < previous_acceptance;
    previous_acceptance = as_number(at["mala_acceptance"]);
  }
  return {{"at every step size, ULA's stationary variance within " + figure(100 * tolerance) + "% of 1 / (1 - eps/4)", ula_ok},
          {"MALA's within " + figure(100 * tolerance) + "% of 1", mala_ok},
          {"MALA's acceptance falling as eps grows", falls}};
}

const StudyRegistration registration(
    {"langevin_discretisation_bias", "unadjusted Langevin's stationary variance on N(0, 1) is 1 / (1 - eps/4); MALA's is 1",
     {list("step_sizes", values<double>({0.05, 0.1, 0.2, 0.5, 1.0, 1.5}), number("eps", required(), 0, 3.99, "step", true),
           "Langevin step sizes eps, increasing"),
      integer("chains", value(50000), 100, 1e8, "independent chains"),
      integer("snapshots", value(20), 1, 1e6, "states per chain, two relaxation times apart"),
      number("tolerance", value(0.02), 0, 1, "largest relative error of a stationary variance", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
