// The evaluators a config can switch on (eval.NAME: true) and `ebm eval --metric NAME` runs.
#include "datasets/toy_2d.h"
#include "config/components.h"
#include "trainers/annealed_likelihood.h"
#include "trainers/density_metrics.h"
#include "trainers/exact_log_likelihood.h"
#include "trainers/rbm_metrics.h"

namespace ebm::experiments {

namespace {

samplers::AISOptions annealing_path(const SectionConfig& c, const std::string& metric) {
  auto options = samplers::AISOptions().betas(c.get<int64_t>(metric + "_betas")).schedule(c.get<std::string>(metric + "_schedule"));
  if (metric == "ais") options.chains(c.get<int64_t>("ais_chains"));
  return options;
}

std::vector<Component<EvaluatorFactory>> evaluators() {
  Accepts enumerable, latent = Accepts().with_latent_variables(),
          plane = Accepts::only(Domain::Continuous), known, mixture = plane;
  enumerable.also = "an RBM with a discrete layer of at most 2^24 states (24 binary units), or a binary or discrete model of at most 2^24 states";
  Accepts bits_or_reals = Accepts::only({Domain::Binary, Domain::Continuous}).with_latent_variables();
  Accepts visible_states = Accepts::only(Domain::Binary).with_latent_variables();
  visible_states.also = "at most 24 visible units";
  plane.two_dimensional = mixture.two_dimensional = true;
  known.known_density = mixture.known_density = true;
  // Defaults come from the options structs.
  const samplers::AISOptions path;
  const trainers::AnnealingOptions annealing;
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
       "log-likelihood with log Z by annealed importance sampling (Salakhutdinov & Murray 2008), repeated: forward "
       "(ais_ll, a stochastic upper bound) and reverse from exact model samples (ais_ll_reverse, a stochastic lower "
       "bound; enumerable RBMs) or from data rows (ais_ll_reverse_from_data, no bound)",
       {integer("ais_chains", value(path.chains()), 2, 1e7, "AIS chains"),
        integer("ais_betas", value(path.betas()), 1, 1e9, "AIS intermediate distributions"),
        choice("ais_schedule", value(path.schedule()), {"piecewise", "linear"}, "AIS inverse temperatures"),
        integer("ais_repeats", value(annealing.repeats()), 1, 1e4, "independent AIS runs; their spread is the error bar"),
        choice("ais_reverse", value(annealing.reverse()), {"auto", "exact", "data", "off"},
               "reverse AIS from exact model samples (exact: a bound, enumerable RBMs only), from data rows after "
               "ais_burn_in sweeps (data: no bound), not at all (off), or exact where enumerable (auto)"),
        integer("ais_burn_in", value(annealing.burn_in()), 0, 1e9, "reverse AIS from data: Gibbs sweeps of the model from data rows first")},
       latent,
       [](const SectionConfig& c, const Experiment& e) {
         return std::make_shared<trainers::AISLogLikelihood>(trainers::AnnealingOptions()
                                                                 .ais(annealing_path(c, "ais"))
                                                                 .repeats(c.get<int64_t>("ais_repeats"))
                                                                 .reverse(c.get<std::string>("ais_reverse"))
                                                                 .burn_in(c.get<int64_t>("ais_burn_in"))
                                                                 .world(distributed::World::joined()),
                                                             e.data->data());
       }},
      {"raise",
       "RAISE (Burda, Grosse & Salakhutdinov 2015): a stochastic lower bound on each row's log-likelihood under the "
       "annealing model, which tends to the RBM as raise_betas grows; needs no log Z and no equilibrium samples",
       {integer("raise_betas", value(path.betas()), 1, 1e9, "intermediate distributions of each reverse walk"),
        choice("raise_schedule", value(path.schedule()), {"piecewise", "linear"}, "RAISE inverse temperatures"),
        integer("raise_repeats", value(annealing.repeats()), 1, 1e4, "independent RAISE runs; their spread is the error bar"),
        integer("raise_chains", value(annealing.chains_per_row()), 1, 1e6, "reverse walks per row, averaged in weight")},
       latent,
       [](const SectionConfig& c, const Experiment& e) {
         return std::make_shared<trainers::RAISELogLikelihood>(trainers::AnnealingOptions()
                                                                   .ais(annealing_path(c, "raise"))
                                                                   .repeats(c.get<int64_t>("raise_repeats"))
                                                                   .chains_per_row(c.get<int64_t>("raise_chains"))
                                                                   .world(distributed::World::joined()),
                                                               e.data->data());
       }},
      {"pl", "pseudo-likelihood, every unit exactly (Besag 1975); units of any finite states (binary, spin, Potts)", {},
       Accepts::only({Domain::Binary, Domain::Discrete}),
       [](const SectionConfig&, const Experiment&) { return std::make_shared<trainers::PseudoLikelihood>(); }},
      {"recon", "one mean-field reconstruction: squared error and cross-entropy", {}, bits_or_reals,
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
