// The training objectives a config can name (objective.type), and NCE's noise (objective.noise).
#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "ebm/simple_densities.h"
#include "config/components.h"
#include "trainers/bit_flip_objectives.h"
#include "trainers/contrastive.h"
#include "trainers/exact_likelihood.h"
#include "trainers/nce.h"
#include "trainers/score_matching.h"

namespace ebm::experiments {

namespace {

// The contrastive objective's keys: its own, then those of every chain source.
std::vector<Field> contrastive_fields() {
  std::vector<Field> fields = {
      chain_source_registry().choice_field("chain_source"),
      integer("chains", value(0), 0, 1e7, "negative chains per step; 0 = the batch size"),
      number("energy_l2", value(trainers::ContrastiveOptions().energy_l2()), 0, 1e6, "alpha of the penalty alpha (E+^2 + E-^2); 0 = off")};
  for (const auto& source : chain_source_registry().components()) {
    fields.insert(fields.end(), source.fields.begin(), source.fields.end());
  }
  return fields;
}

// Every score-matching objective differentiates ∇x E: a model that cannot be (an energy written
// in PyTorch with an op lacking a double backward) is refused here, naming the op's complaint.
void require_second_derivatives(const SectionConfig& c, const Experiment& e) {
  const auto problem = second_derivative_problem(*e.model);
  if (!problem.empty()) {
    c.fail("type", c.get<std::string>("type") + " differentiates the energy's input gradient, which this " +
                       e.model->type_name() + " model cannot: " + problem);
  }
}

ObjectiveFactory bit_flip(const std::string& kind) {
  return [kind](const SectionConfig&, const Experiment&) { return std::make_shared<trainers::BitFlipObjective>(kind); };
}

std::vector<Component<ObjectiveFactory>> objectives() {
  Accepts with_sampler, continuous = Accepts::only(Domain::Continuous), binary = Accepts::only(Domain::Binary);
  Accepts exact;
  exact.also = "an RBM with a discrete layer of at most 2^24 states (24 binary units), a binary or discrete model of at most 2^24 states, or an analytic density";
  with_sampler.needs_sampler = true;
  // Defaults come from the options structs.
  const trainers::DenoisingScoreMatchingOptions dsm;
  const trainers::SlicedScoreMatchingOptions ssm;
  return {
      {"contrastive", "mean E(x+) - mean E(x-) with x- from the sampler: CD, PCD, short-run or replay chains",
       contrastive_fields(), with_sampler,
       [](const SectionConfig& c, const Experiment& e) {
         const auto& source = chain_source_registry().at(c.get<std::string>("chain_source"));
         return std::make_shared<trainers::ContrastiveObjective>(
             e.sampler, source.make(c, e),
             trainers::ContrastiveOptions()
                 .sampler_steps(c.config().get<int64_t>("sampler.steps"))
                 .energy_l2(c.get<double>("energy_l2")));
       }},
      {"score_matching", "exact score matching, tr(Hessian) by autograd (Hyvarinen 2005)", {}, continuous,
       [](const SectionConfig& c, const Experiment& e) {
         require_second_derivatives(c, e);
         return std::make_shared<trainers::ExactScoreMatching>();
       }},
      {"denoising_score_matching", "denoising score matching, one or several noise scales (Vincent 2011)",
       {number("noise_std", value(dsm.noise_std()), 0, 1e6, "sigma of the smallest noise scale", true),
        integer("scales", value(dsm.scales()), 1, 100, "noise scales sigma, sigma r, sigma r^2, ..."),
        number("scale_ratio", value(dsm.scale_ratio()), 1, 1e3, "r, the ratio between neighbouring scales")},
       continuous,
       [](const SectionConfig& c, const Experiment& e) {
         require_second_derivatives(c, e);
         // The loss weighs each scale by sigma^2 in the training dtype: the largest scale's square
         // must stay finite there, or every step is NaN and rollbacks cannot help.
         const double largest =
             c.get<double>("noise_std") * std::pow(c.get<double>("scale_ratio"), c.get<int64_t>("scales") - 1);
         const bool float32 = c.config().get<std::string>("dtype") == "float32";
         const double limit = std::sqrt(float32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max());
         if (!(largest <= limit)) {
           c.fail("noise_std", fmt::format("the largest noise scale, noise_std x scale_ratio^(scales - 1) = {:.4g}, "
                                           "overflows {} (its square must stay below {:.3g}): lower noise_std, "
                                           "scale_ratio or scales", largest, float32 ? "float32" : "float64", limit * limit));
         }
         return std::make_shared<trainers::DenoisingScoreMatching>(trainers::DenoisingScoreMatchingOptions()
                                                                       .noise_std(c.get<double>("noise_std"))
                                                                       .scales(c.get<int64_t>("scales"))
                                                                       .scale_ratio(c.get<double>("scale_ratio")));
       }},
      {"sliced_score_matching", "sliced score matching with random projections (Song et al. 2019)",
       {integer("projections", value(ssm.projections()), 1, 1000, "random directions per example"),
        choice("distribution", value(ssm.distribution()), {"gaussian", "rademacher"}, "distribution of the directions"),
        boolean("variance_reduced", value(ssm.variance_reduced()), "use 1/2 |grad E|^2 in place of 1/2 (v . grad E)^2")},
       continuous,
       [](const SectionConfig& c, const Experiment& e) {
         require_second_derivatives(c, e);
         return std::make_shared<trainers::SlicedScoreMatching>(
             trainers::SlicedScoreMatchingOptions()
                 .projections(c.get<int64_t>("projections"))
                 .distribution(c.get<std::string>("distribution"))
                 .variance_reduced(c.get<bool>("variance_reduced")));
       }},
      {"nce", "noise-contrastive estimation with a learnt log-normaliser (Gutmann & Hyvarinen 2010)",
       {noise_registry().choice_field("noise"),
        number("noise_ratio", value(trainers::NCEOptions().noise_ratio()), 0, 1e4, "noise samples per data sample (nu)", true)},
       Accepts::only({Domain::Binary, Domain::Continuous}),
       [](const SectionConfig& c, const Experiment& e) {
         const auto& noise = noise_registry().at(c.get<std::string>("noise"));
         const Domain domain = e.data->is_binary() ? Domain::Binary : Domain::Continuous;
         if (!noise.accepts.accepts(domain)) {
           c.fail("noise", noise.name + " noise is for " + noise.accepts.describe() + "; '" + e.data->name() + "' is " +
                               (e.data->is_binary() ? "binary" : "continuous"));
         }
         return std::make_shared<trainers::NoiseContrastiveEstimation>(
             noise.make(e.data->data().to(torch::kFloat64)),
             trainers::NCEOptions().noise_ratio(c.get<double>("noise_ratio")));
       }},
      {"exact", "maximum likelihood with the exact gradient, log Z by enumeration or 0 for analytic densities (the reference for the others)", {},
       exact,
       [](const SectionConfig&, const Experiment&) { return std::make_shared<trainers::ExactLikelihood>(); }},
      {"pseudo_likelihood", "pseudo-likelihood, sum_i log p(x_i | x_-i) (Besag 1975); units of any finite states (binary, spin, Potts)", {},
       Accepts::only({Domain::Binary, Domain::Discrete}),
       bit_flip("pseudo_likelihood")},
      {"ratio_matching", "ratio matching (Hyvarinen 2007)", {}, binary, bit_flip("ratio_matching")},
      {"mpf", "minimum probability flow, single-bit-flip connectivity (Sohl-Dickstein et al. 2011)", {}, binary,
       bit_flip("mpf")}};
}

std::vector<Component<NoiseFactory>> noises() {
  const Accepts binary = Accepts::only(Domain::Binary), continuous = Accepts::only(Domain::Continuous);
  return {
      {"gaussian", "a Gaussian fitted to the data", {}, continuous,
       [](const torch::Tensor& x) -> std::shared_ptr<AnalyticDensity> {
         auto mean = x.mean(0);
         auto centred = x - mean;
         auto covariance = centred.t().mm(centred) / static_cast<double>(x.size(0) - 1) +
                           1e-6 * torch::eye(x.size(1), x.options());
         return Gaussian(mean, torch::linalg_cholesky(covariance)).ptr();
       }},
      {"standard_normal", "N(0, I), whatever the data (nce_density_chasm)", {}, continuous,
       [](const torch::Tensor& x) -> std::shared_ptr<AnalyticDensity> {
         return Gaussian(torch::zeros({x.size(1)}, x.options()), torch::eye(x.size(1), x.options())).ptr();
       }},
      {"uniform", "uniform on the data's box widened by 10%", {}, continuous,
       [](const torch::Tensor& x) -> std::shared_ptr<AnalyticDensity> {
         auto low = std::get<0>(x.min(0)), high = std::get<0>(x.max(0));
         auto margin = 0.1 * (high - low);
         return UniformBox(low - margin, high + margin).ptr();
       }},
      {"bernoulli", "independent bits with the data's marginals", {}, binary,
       [](const torch::Tensor& x) -> std::shared_ptr<AnalyticDensity> { return BernoulliProduct(x.mean(0)).ptr(); }}};
}

}  // namespace

const Registry<ObjectiveFactory>& objective_registry() {
  static const Registry<ObjectiveFactory> registry("objective", "contrastive", "the training objective", objectives());
  return registry;
}

const Registry<NoiseFactory>& noise_registry() {
  static const Registry<NoiseFactory> registry("noise", "gaussian", "the noise distribution of NCE", noises());
  return registry;
}

}  // namespace ebm::experiments
