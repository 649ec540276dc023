// Conformance suites over every registered component, each against an exact reference:
//   models:      ∇x E and the parameter gradient of mean E against central differences (float64),
//                rows independent, the same energies in float32 and float64, state restored exactly;
//   latent:      the tempered conditionals p_β(h | v), p_β(v | h) ∝ exp(-β E(v, h)) against
//                enumeration of h and per-coordinate quadrature (or enumeration) of v;
//   samplers:    the law each kernel leaves invariant (an enumerable RBM's exact distribution, a
//                Gaussian-Bernoulli RBM's Gaussian-mixture moments, a Gaussian's moments, the
//                unadjusted Langevin kernel's own biased Gaussian law) within stated Monte Carlo error;
//   objectives:  the loss gradient (autograd) against central differences of the loss, seeded.
// Each suite lists a case per registered name: registering a component without one fails here.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <sstream>

#include "config/components.h"
#include "config/schema.h"
#include "ebm/exact_enumeration.h"
#include "ebm/gaussian.h"
#include "support/numerical.h"
#include "support/scripted_energy.h"

namespace ebm::experiments {
namespace {

const std::string kCommon = "seed: 3\nthreads: 1\ndtype: float64\ntrain: {steps: 1, batch_size: 8}\n";
const std::string kBinaryData = "data: {type: bars_and_stripes, size: 2}\n";
const std::string kPottsData = "data: {type: bars_and_stripes, size: 2, colours: 3}\n";
const std::string kPlaneData = "data: {type: eight_gaussians, train_size: 200, held_out: 50}\n";
const std::string kImageData = "data: {type: mnist, train_size: 20, held_out: 4}\n";

Experiment build(const std::string& data, const std::vector<std::string>& overrides) {
  Config c = Config::parse(data + kCommon, "conformance.yaml", overrides, experiment_schema());
  return build_experiment(c, "conformance");
}

// Every registered name of `registry` has a case in `cases` (and no case names nothing).
template <class Registry, class Case>
void expect_a_case_for_every_component(const Registry& registry, const std::map<std::string, Case>& cases) {
  for (const auto& name : registry.names()) EXPECT_TRUE(cases.count(name)) << registry.section() << " '" << name << "' has no conformance case";
  for (const auto& [name, unused] : cases) EXPECT_NO_THROW(registry.at(name)) << name;
}

// ---- models --------------------------------------------------------------------------------

struct ModelCase {
  std::string data;
  std::vector<std::string> overrides;
};

const std::map<std::string, ModelCase>& model_cases() {
  static const std::map<std::string, ModelCase> cases = {
      {"bernoulli_rbm", {kBinaryData, {"model.hidden=3", "model.init_std=0.8"}}},
      {"gaussian_bernoulli_rbm", {kPlaneData, {"model.type=gaussian_bernoulli_rbm", "model.hidden=3", "model.init_std=0.8"}}},
      {"rbm", {kBinaryData, {"model.type=rbm", "model.hidden.units=3", "model.init_std=0.8"}}},
      {"ising", {kBinaryData, {"model.type=ising", "model.init_std=0.8", "sampler.type=random_scan_gibbs"}}},
      {"pairwise",
       {kPottsData, {"model.type=pairwise", "model.units.type=potts", "model.units.states=3", "model.init_std=0.8", "sampler.type=colour_gibbs"}}},
      {"mlp", {kPlaneData, {"model.type=mlp", "model.width=8", "model.depth=3", "sampler.type=langevin"}}},
      {"torchscript", {kPlaneData, {"model.type=torchscript", "model.path=" + testing::scripted_energy_file(), "sampler.type=langevin"}}},
      {"convnet", {kImageData, {"model.type=convnet", "model.base_channels=2", "sampler.type=langevin"}}},
      {"gaussian", {kPlaneData, {"model.type=gaussian", "model.init=data", "sampler.type=langevin"}}},
      {"mixture_weights", {kPlaneData, {"model.type=mixture_weights", "model.learn_means_and_widths=true", "sampler.type=langevin"}}},
      {"data_density", {kPlaneData, {"model.type=data_density", "sampler.type=langevin"}}}};
  return cases;
}

// Rows to evaluate a model at: data rows moved off the data (real-valued for binary models too,
// where the free energy is still defined and differentiable).
torch::Tensor probe_rows(const Experiment& e, int64_t n) {
  torch::manual_seed(11);
  auto rows = e.data->data().slice(0, 0, n).to(torch::kFloat64);
  return (rows + 0.1 * torch::randn_like(rows)).contiguous();
}

TEST(Conformance, EveryModelHasACase) { expect_a_case_for_every_component(model_registry(), model_cases()); }

TEST(Conformance, EveryModelsGradientsMatchFiniteDifferences) {
  for (const auto& [name, c] : model_cases()) {
    SCOPED_TRACE(name);
    auto e = build(c.data, c.overrides);
    auto& model = *e.model;
    const auto x = probe_rows(e, 3);
    testing::expect_energy_gradient_matches_finite_differences(model, x, 1e-6, name + " input");
    std::vector<torch::Tensor> trained;
    for (const auto& p : model.parameters()) {
      if (p.requires_grad()) trained.push_back(p);
    }
    ASSERT_FALSE(trained.empty());
    testing::expect_gradients_match_finite_differences([&] { return model.energy(x).mean(); }, trained, 1e-6, 1e-6,
                                                       name + " parameters");
  }
}

TEST(Conformance, EveryModelScoresRowsIndependentlyInEitherPrecisionAndRestoresItsState) {
  for (const auto& [name, c] : model_cases()) {
    SCOPED_TRACE(name);
    auto e = build(c.data, c.overrides);
    auto& model = *e.model;
    const auto x = probe_rows(e, 4);
    torch::NoGradGuard no_grad;
    const auto energies = model.energy(x);
    ASSERT_EQ(energies.sizes(), (std::vector<int64_t>{4}));
    for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(model.energy(x.slice(0, i, i + 1)).item<double>(), energies[i].item<double>(), 1e-10);
    EXPECT_TRUE(torch::allclose(model.energy(x.flip(0)), energies.flip(0), 1e-12, 1e-10));

    // The state as a checkpoint holds it, read into a model of the same type built from another seed.
    torch::serialize::OutputArchive archive;
    model.save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    auto other = build(c.data, [&] { auto o = c.overrides; o.push_back("seed=4"); return o; }());
    torch::serialize::InputArchive restored;
    std::istringstream in(bytes.str());
    restored.load_from(in);
    other.model->load(restored);
    EXPECT_TRUE(torch::equal(other.model->energy(x), energies));

    // float32: the same energies to float32's precision.
    model.to(torch::kFloat32);
    const auto single = model.energy(x.to(torch::kFloat32)).to(torch::kFloat64);
    EXPECT_EQ(model.energy(x.to(torch::kFloat32)).scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::allclose(single, energies, 1e-4, 1e-4)) << single << energies;
  }
}

// ---- latent-variable models: tempered conditionals ------------------------------------------

// Mean and variance of p_β(v_i | h) ∝ exp(-β E(v, h)) as v_i runs over its support ({0, 1}, or a
// grid of step 0.001 on [-30, 30]) with the other coordinates at v's.
std::pair<double, double> coordinate_moments(LatentVariableModel& model, const torch::Tensor& v, const torch::Tensor& h,
                                             int64_t i, double beta, bool binary) {
  const auto support = binary ? torch::tensor({0.0, 1.0}, torch::kFloat64) : torch::linspace(-30, 30, 60001, torch::kFloat64);
  auto points = v.expand({support.size(0), v.size(1)}).clone();
  points.select(1, i).copy_(support);
  auto w = torch::softmax(-beta * model.joint_energy(points, h.expand({support.size(0), h.size(1)})), 0);
  const double mean = (w * support).sum().item<double>();
  return {mean, (w * (support - mean).pow(2)).sum().item<double>()};
}

TEST(Conformance, EveryLatentModelsTemperedConditionalsAreExact) {
  int latent_models = 0;
  for (const auto& [name, c] : model_cases()) {
    auto e = build(c.data, c.overrides);
    auto* latent = dynamic_cast<LatentVariableModel*>(e.model.get());
    if (latent == nullptr) continue;
    SCOPED_TRACE(name);
    ++latent_models;
    torch::NoGradGuard no_grad;
    const bool binary = latent->domain() == Domain::Binary;
    const int64_t draws = 40000, hidden = latent->num_hidden(), dim = latent->dim();
    const auto v0 = probe_rows(e, 1);
    const auto hs = all_binary_states(hidden);
    const auto h0 = hs[5 % hs.size(0)].unsqueeze(0);
    for (double beta : {0.3, 1.0}) {
      // p_β(h | v0) by enumerating h: each unit's mean.
      auto log_p = -beta * latent->joint_energy(v0.expand({hs.size(0), dim}), hs);
      auto exact_h = (torch::softmax(log_p, 0).unsqueeze(1) * hs).sum(0);
      auto sampled_h = latent->sample_hidden_tempered(v0.expand({draws, dim}).contiguous(), torch::full({draws}, beta, torch::kFloat64));
      auto h_error = (sampled_h.mean(0) - exact_h).abs() / (exact_h * (1 - exact_h) / draws).sqrt().clamp_min(1e-12);
      EXPECT_LT(h_error.max().item<double>(), 5.0) << "beta " << beta << ": " << sampled_h.mean(0) << " vs " << exact_h;
      // p_β(v_i | h0) for each coordinate by its support ({0, 1}) or a fine grid, the others at v0.
      auto sampled_v = latent->sample_visible_tempered(h0.expand({draws, hidden}).contiguous(), torch::full({draws}, beta, torch::kFloat64));
      for (int64_t i = 0; i < dim; ++i) {
        const auto [mean, var] = coordinate_moments(*latent, v0, h0, i, beta, binary);
        const auto column = sampled_v.select(1, i);
        EXPECT_LT(std::abs(column.mean().item<double>() - mean), 5 * std::sqrt(var / draws)) << "beta " << beta << " unit " << i;
        if (!binary) {
          EXPECT_NEAR(column.var().item<double>() / var, 1.0, 5 * std::sqrt(2.0 / draws)) << "beta " << beta << " unit " << i;
        }
      }
    }
  }
  EXPECT_EQ(latent_models, 3);
}

// ---- samplers ---------------------------------------------------------------------------------

// What a sampler is run on, and the law it must leave invariant there.
enum class Law { Enumerated, GaussianMixtureMoments, Gaussian, UnadjustedLangevin };
struct SamplerTarget {
  std::string data;
  std::vector<std::string> overrides;
  Law law;
  int64_t steps;  // transitions from the start before the states are compared
};

const std::map<std::string, std::vector<SamplerTarget>>& sampler_cases() {
  const std::vector<std::string> rbm = {"model.hidden=3"}, grbm = {"model.type=gaussian_bernoulli_rbm", "model.hidden=3"},
                                 gaussian = {"model.type=gaussian"};
  auto with = [](std::vector<std::string> base, std::vector<std::string> more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  static const std::map<std::string, std::vector<SamplerTarget>> cases = {
      {"gibbs",
       {{kBinaryData, with(rbm, {"sampler.type=gibbs"}), Law::Enumerated, 50},
        {kPlaneData, with(grbm, {"sampler.type=gibbs"}), Law::GaussianMixtureMoments, 200}}},
      {"parallel_tempering",
       {{kBinaryData, with(rbm, {"sampler.type=parallel_tempering"}), Law::Enumerated, 50},
        {kPlaneData, with(grbm, {"sampler.type=parallel_tempering", "sampler.temperatures=4"}), Law::GaussianMixtureMoments, 200}}},
      {"random_walk",
       {{kBinaryData, with(rbm, {"sampler.type=random_walk"}), Law::Enumerated, 300},
        {kPlaneData, with(gaussian, {"sampler.type=random_walk", "sampler.proposal_std=1"}), Law::Gaussian, 400}}},
      {"random_scan_gibbs", {{kBinaryData, with(rbm, {"sampler.type=random_scan_gibbs"}), Law::Enumerated, 300}}},
      {"colour_gibbs", {{kBinaryData, {"model.type=ising", "model.init_std=0.8", "sampler.type=colour_gibbs"}, Law::Enumerated, 50}}},
      {"gibbs_with_gradients", {{kBinaryData, with(rbm, {"sampler.type=gibbs_with_gradients"}), Law::Enumerated, 300}}},
      {"langevin", {{kPlaneData, with(gaussian, {"sampler.type=langevin", "sampler.step_size=0.5"}), Law::UnadjustedLangevin, 200}}},
      {"mala", {{kPlaneData, with(gaussian, {"sampler.type=mala", "sampler.step_size=0.5"}), Law::Gaussian, 200}}},
      {"hmc", {{kPlaneData, with(gaussian, {"sampler.type=hmc", "sampler.step_size=0.2", "sampler.leapfrog_steps=5"}), Law::Gaussian, 100}}},
      {"annealed_langevin",  // one rung: unadjusted Langevin at the model itself
       {{kPlaneData, with(gaussian, {"sampler.type=annealed_langevin", "sampler.levels=1", "sampler.steps_per_level=200", "sampler.step_size=0.5"}),
         Law::UnadjustedLangevin, 1}}},
      {"gaussian_gibbs", {{kPlaneData, with(gaussian, {"sampler.type=gaussian_gibbs"}), Law::Gaussian, 50}}}};
  return cases;
}

// Gives the experiment's model parameters far from its initialisation, so its law is not flat:
// an RBM N(0, 0.8²) weights and biases; a Gaussian the correlated N(μ, [[1, 0.8], [0.8, 1]]).
void sharpen(Experiment& e) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(21);
  if (auto* gaussian = dynamic_cast<GaussianImpl*>(e.model.get())) {
    gaussian->mean.copy_(torch::tensor({0.5, -1.0}));
    gaussian->tril_offdiag.fill_(0.8);
    gaussian->log_diag.copy_(torch::tensor({0.0, std::log(0.6)}));
    return;
  }
  for (auto& p : e.model->parameters()) {
    if (p.dim() == 2) p.normal_(0, 0.8);
  }
}

// The moments of a continuous latent-variable model's visible law, Σ_h p(h) p(v | h) with p(h) =
// exp(-F(h)) / Z by enumeration and each p(v_i | h) by quadrature of exp(-E(v, h)) (the visible
// units are independent given h): mean and covariance.
std::pair<torch::Tensor, torch::Tensor> mixture_moments(LatentVariableModel& model) {
  const auto hs = all_binary_states(model.num_hidden());
  const auto weights = torch::softmax(-model.hidden_free_energy(hs), 0);
  const int64_t dim = model.dim();
  auto means = torch::zeros({hs.size(0), dim}, torch::kFloat64), variances = torch::zeros_like(means);
  for (int64_t k = 0; k < hs.size(0); ++k) {
    for (int64_t i = 0; i < dim; ++i) {
      auto [mean, var] = coordinate_moments(model, torch::zeros({1, dim}, torch::kFloat64), hs[k].unsqueeze(0), i, 1.0, false);
      means[k][i] = mean, variances[k][i] = var;
    }
  }
  auto mean = (weights.unsqueeze(1) * means).sum(0);
  auto second = (weights.unsqueeze(1).unsqueeze(2) * (means.unsqueeze(2) * means.unsqueeze(1) + torch::diag_embed(variances))).sum(0);
  return {mean, second - mean.unsqueeze(1) * mean.unsqueeze(0)};
}

// Sample mean and covariance against exact ones, each entry within 5 standard errors.
void expect_moments(const torch::Tensor& x, const torch::Tensor& mean, const torch::Tensor& covariance, const std::string& what) {
  const double n = static_cast<double>(x.size(0));
  auto centred = x - mean;
  EXPECT_LT(((x.mean(0) - mean).abs() / (covariance.diagonal() / n).sqrt()).max().item<double>(), 5.0)
      << what << ": mean " << x.mean(0) << " vs " << mean;
  auto products = centred.unsqueeze(2) * centred.unsqueeze(1);
  auto se = (products.var(0) / n).sqrt();
  EXPECT_LT(((products.mean(0) - covariance).abs() / se).max().item<double>(), 5.0)
      << what << ": covariance " << products.mean(0) << " vs " << covariance;
}

TEST(Conformance, EverySamplerHasACase) { expect_a_case_for_every_component(sampler_registry(), sampler_cases()); }

TEST(Conformance, EverySamplerLeavesItsLawInvariant) {
  const int64_t chains = 20000;
  for (const auto& [name, targets] : sampler_cases()) {
    for (const auto& target : targets) {
      auto e = build(target.data, target.overrides);
      sharpen(e);
      const std::string what = name + " on " + e.model->type_name();
      SCOPED_TRACE(what);
      torch::manual_seed(5);
      const int64_t dim = e.model->dim();
      torch::NoGradGuard no_grad;
      if (target.law == Law::Enumerated) {
        auto x = e.sampler->run(*e.model, torch::bernoulli(torch::full({chains, dim}, 0.5, torch::kFloat64)), target.steps);
        auto exact = visible_log_probabilities(*e.model).exp();
        auto counts = torch::bincount(state_indices(x), {}, exact.size(0)).to(torch::kFloat64);
        auto expected = exact * chains;
        ASSERT_GT(expected.min().item<double>(), 5.0);
        // Pearson's statistic on 2^V - 1 = 15 degrees of freedom: P(X > 44) < 1e-4 under the law.
        EXPECT_LT(((counts - expected).pow(2) / expected).sum().item<double>(), 44.0) << counts << expected;
        continue;
      }
      torch::Tensor mean, covariance;
      if (target.law == Law::GaussianMixtureMoments) {
        std::tie(mean, covariance) = mixture_moments(dynamic_cast<LatentVariableModel&>(*e.model));
      } else {
        const auto form = e.model->gaussian_mixture_form().value();
        mean = form.means[0].to(torch::kFloat64), covariance = form.covariances[0].to(torch::kFloat64);
        if (target.law == Law::UnadjustedLangevin) {
          // x' = x - (ε/2) Σ⁻¹ (x - μ) + √ε ξ is stationary at N(μ, C), in Σ's eigenbasis
          // c = ε / (1 - (1 - ε / 2λ)²) for each eigenvalue λ.
          const double eps = e.config.get<double>("sampler.step_size");
          auto [lambda, u] = torch::linalg_eigh(covariance);
          auto c = eps / (1 - (1 - eps / (2 * lambda)).pow(2));
          covariance = u.mm(torch::diag(c)).mm(u.t());
        }
      }
      auto start = mean + torch::randn({chains, dim}, torch::kFloat64);
      auto x = e.sampler->run(*e.model, start.to(e.data->data().scalar_type()), target.steps).to(torch::kFloat64);
      expect_moments(x, mean, covariance, what);
    }
  }
}

// ---- objectives ---------------------------------------------------------------------------

struct ObjectiveCase {
  std::string data;
  std::vector<std::string> overrides;
  std::string not_checked;  // why the loss has no gradient to check, or empty
};

const std::map<std::string, ObjectiveCase>& objective_cases() {
  const std::vector<std::string> mlp = {"model.type=mlp", "model.width=8", "model.depth=2"};
  auto with = [](std::vector<std::string> base, const std::string& more) {
    base.push_back(more);
    return base;
  };
  static const std::map<std::string, ObjectiveCase> cases = {
      {"contrastive", {kBinaryData, {"model.hidden=3"},
                       "its loss E(x+) - E(x-) differentiates the energy at fixed samples, but the samples move with "
                       "the parameters (discontinuously for Gibbs), so differences of the loss do not estimate it; its "
                       "gradient is checked against the exact expected update (test_contrastive.cpp)"}},
      {"score_matching", {kPlaneData, with(mlp, "objective.type=score_matching"), ""}},
      {"denoising_score_matching", {kPlaneData, with(mlp, "objective.type=denoising_score_matching"), ""}},
      {"sliced_score_matching", {kPlaneData, with(mlp, "objective.type=sliced_score_matching"), ""}},
      {"nce", {kPlaneData, with(mlp, "objective.type=nce"), ""}},
      {"exact", {kBinaryData, {"model.hidden=3", "objective.type=exact"}, ""}},
      {"pseudo_likelihood", {kBinaryData, {"model.hidden=3", "objective.type=pseudo_likelihood"}, ""}},
      {"ratio_matching", {kBinaryData, {"model.hidden=3", "objective.type=ratio_matching"}, ""}},
      {"mpf", {kBinaryData, {"model.hidden=3", "objective.type=mpf"}, ""}}};
  return cases;
}

TEST(Conformance, EveryObjectiveHasACase) { expect_a_case_for_every_component(objective_registry(), objective_cases()); }

TEST(Conformance, EveryObjectivesLossGradientMatchesFiniteDifferences) {
  for (const auto& [name, c] : objective_cases()) {
    if (!c.not_checked.empty()) continue;
    SCOPED_TRACE(name);
    auto e = build(c.data, c.overrides);
    sharpen(e);
    const auto batch = e.data->data().slice(0, 0, 6).to(torch::kFloat64);
    std::vector<torch::Tensor> trained;
    for (const auto& p : e.model->parameters()) trained.push_back(p);
    for (const auto& p : e.objective->parameters()) trained.push_back(p);
    // The same noise (score matching's, NCE's samples) at every evaluation.
    testing::expect_gradients_match_finite_differences(
        [&] {
          torch::manual_seed(9);
          return e.objective->compute(*e.model, batch).loss;
        },
        trained, 1e-6, 1e-6, name);
  }
}

}  // namespace
}  // namespace ebm::experiments
