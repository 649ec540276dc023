// The evaluators a config can switch on (eval.NAME: true) and `ebm eval --metric NAME` runs.
#include "datasets/toy_2d.h"
#include "experiments/components.h"
#include "trainers/density_metrics.h"
#include "trainers/exact_log_likelihood.h"
#include "trainers/rbm_metrics.h"

namespace ebm::experiments {

namespace {

std::vector<Component<EvaluatorFactory>> evaluators() {
  Accepts enumerable = Accepts().with_latent_variables(), rbm = enumerable,
          latent = Accepts().with_latent_variables(), binary = Accepts::only(Domain::Binary),
          plane = Accepts::only(Domain::Continuous), known, mixture = plane;
  enumerable.also = "at most 24 units on the smaller layer";
  rbm.model_types = {"gaussian_bernoulli_rbm", "bernoulli_rbm"};
  Accepts visible_states = Accepts::only(Domain::Binary).with_latent_variables();
  visible_states.also = "at most 24 visible units";
  plane.two_dimensional = mixture.two_dimensional = true;
  known.known_density = mixture.known_density = true;
  return {
      {"exact_ll", "exact held-out log-likelihood, log Z by enumeration", {}, enumerable,
       [](const SectionConfig&, const Experiment&) { return std::make_shared<trainers::ExactLogLikelihood>(); }},
      {"off_data_mass", "exact probability of the visible patterns that are not in the data (spurious modes)", {},
       visible_states,
       [](const SectionConfig&, const Experiment&) { return std::make_shared<trainers::OffDataMass>(); }},
      {"grid_ll", "held-out log-likelihood with log Z by grid quadrature", {}, plane,
       [](const SectionConfig&, const Experiment& e) { return std::make_shared<trainers::GridLogLikelihood>(e.grid); }},
      {"true_ll", "held-out log-likelihood under the data's exact density (the ceiling a model can reach)", {}, known,
       [](const SectionConfig&, const Experiment& e) { return std::make_shared<trainers::TrueLogLikelihood>(e.truth); }},
      {"mode_coverage",
       "fraction of the mixture's modes given a quarter of their fair share of model samples, and off_mode, "
       "the share of samples near no mode",
       {}, mixture,
       [](const SectionConfig& c, const Experiment& e) {
         auto modes = datasets::toy_2d_mixture(e.data->name()).value();  // the data with a known density
         return std::make_shared<trainers::ModeCoverage>(modes.means, modes.std, e.grid, c.get<int64_t>("samples"));
       }},
      {"mmd2", "unbiased squared MMD (RBF kernel, median bandwidth) between model samples and held-out data", {}, plane,
       [](const SectionConfig& c, const Experiment& e) {
         return std::make_shared<trainers::MMD>(e.grid, c.get<int64_t>("samples"));
       }},
      {"ais",
       "log-likelihood with log Z by annealed importance sampling (Salakhutdinov & Murray 2008), forward (ais_ll, "
       "tends to be too high) and reverse from model samples (ais_ll_reverse, tends to be too low; Burda et al. 2015)",
       {integer("ais_chains", value(100), 2, 1e7, "AIS chains"),
        integer("ais_betas", value(10000), 1, 1e9, "AIS intermediate distributions"),
        choice("ais_schedule", value("piecewise"), {"piecewise", "linear"}, "AIS inverse temperatures"),
        boolean("ais_reverse", value(true), "also run reverse AIS, bracketing the log-likelihood"),
        integer("ais_burn_in", value(1000), 0, 1e9, "reverse AIS: Gibbs sweeps of the model from data rows first")},
       rbm,
       [](const SectionConfig& c, const Experiment&) {
         return std::make_shared<trainers::AISLogLikelihood>(samplers::AISOptions()
                                                                 .chains(c.get<int64_t>("ais_chains"))
                                                                 .betas(c.get<int64_t>("ais_betas"))
                                                                 .schedule(c.get<std::string>("ais_schedule"))
                                                                 .burn_in(c.get<int64_t>("ais_burn_in")),
                                                             c.get<bool>("ais_reverse"));
       }},
      {"pl", "pseudo-likelihood, every feature exactly (Besag 1975)", {}, binary,
       [](const SectionConfig&, const Experiment&) { return std::make_shared<trainers::PseudoLikelihood>(); }},
      {"recon", "one mean-field reconstruction: squared error and cross-entropy", {}, latent,
       [](const SectionConfig&, const Experiment&) { return std::make_shared<trainers::Reconstruction>(); }}};
}

}  // namespace

const Registry<EvaluatorFactory>& evaluator_registry() {
  static const Registry<EvaluatorFactory> registry("eval", "exact_ll", "metrics computed at each log step",
                                                   evaluators());
  return registry;
}

const std::vector<Field>& shared_eval_fields() {
  static const std::vector<Field> fields = {
      integer("grid_resolution", value(200), 10, 4000, "cells per side of the quadrature grid"),
      number("grid_box", value(0.0), 0, 1e6,
             "the grid covers [-grid_box, grid_box]^2; 0 = the data's bounding square widened by 25%"),
      integer("samples", value(2000), 10, 1e7,
              "model samples (exact draws from the gridded density) for mode_coverage and mmd2")};
  return fields;
}

}  // namespace ebm::experiments
