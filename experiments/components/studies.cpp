// The studies a study file can name (study.type): the failure modes of the catalogue
// (experiments/failure_modes/, docs/FAILURE_MODES.md), one file each under experiments/studies/.
#include "experiments/components.h"
#include "experiments/studies/studies.h"

namespace ebm::experiments {

namespace {

Field min_value(const std::string& name, double fallback, const std::string& help) {
  return number(name, value(fallback), 0, 1e9, help);
}

std::vector<Component<StudyFactory>> studies() {
  const Field ks = list("ks", values<int64_t>({1, 3, 10, 30, 100}), integer("k", required(), 1, 1e6, "Gibbs steps"),
                        "the k of CD-k");
  const Field variants = list("variants", required(), text("variant", required(), "label: KEY=VALUE KEY=VALUE ..."),
                              "the runs compared: a label, then overrides of the experiment");
  return {
      {"log_likelihood_underflow", "the likelihood product underflows in float32 and float64; the sum of logs does not",
       {integer("examples", value(1000), 1, 1e7, "examples in the product (the data's rows, cycled)")}, {},
       study_log_likelihood_underflow},
      {"phase_decomposition", "positive + exact negative phase equals the finite-difference gradient",
       {number("step", value(1e-4), 0, 1, "central finite-difference step", true),
        number("tolerance", value(1e-6), 0, 1, "largest relative error per parameter tensor", true)},
       {}, study_phase_decomposition},
      {"cd_bias", "exact bias of the expected CD-k update against k and the weights' scale; CD-1 leaves the ML fit",
       {ks,
        list("weight_scales", values<double>({0.1, 1.0, 3.0}), number("scale", required(), 0, 1e3, "factor", true),
             "the trained weights multiplied by each"),
        integer("repeats", value(200), 4, 1e7, "sampled CD-k estimates per k"),
        integer("ml_steps", value(20000), 1, 1e9, "training steps of the maximum-likelihood fit (the experiment with more steps)"),
        number("cd_lr", value(0.1), 0, 1e3, "learning rate of the CD-1 updates from the ML fit", true),
        integer("cd_updates", value(2000), 1, 1e8, "expected CD-1 updates from the ML fit"),
        min_value("min_loss", 0.01, "log-likelihood (nats per example) CD-1 must lose to count as moving away")},
       {}, study_cd_bias},
      {"cd_not_a_gradient", "the Jacobian of the expected CD-1 update is asymmetric; a gradient's is not",
       {number("step", value(1e-5), 0, 1, "central finite-difference step", true),
        min_value("min_asymmetry", 0.05, "||J - J^T|| / ||J|| that counts as not a gradient")},
       {}, study_cd_not_a_gradient},
      {"gibbs_stuck", "Gibbs chains stay in the mode they start in; parallel tempering crosses (a two-mode RBM built to order)",
       {integer("visible", value(12), 2, 20, "visible units"),
        number("weight", value(6.0), 0, 100, "w: the weights of the one hidden unit; the barrier grows with it", true),
        number("on_share", value(0.7), 0, 1, "exact probability of the mode with most units on", true),
        integer("chains", value(8), 4, 1e5, "chains, half started in each mode"),
        integer("warmup", value(100), 0, 1e7, "transitions discarded first"),
        integer("draws", value(4000), 8, 1e8, "draws kept per chain"),
        integer("temperatures", value(10), 2, 1000, "parallel tempering replicas"),
        number("min_beta", value(0.05), 0, 0.999999, "the hottest replica's inverse temperature"),
        number("share_tolerance", value(0.03), 0, 1, "largest |tempering's share - exact| that counts as right", true)},
       {}, study_gibbs_stuck},
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
       {}, study_mcmc_convergence},
      {"spurious_modes", "exact probability mass off the data for models trained by each variant; CD-1's is the largest",
       {variants, text("expected_worst", value("cd1"), "the label of the variant expected to leave the most mass off the data"),
        number("min_factor", value(2.0), 0, 1e9, "how many times the next largest its mass must be", true)},
       {}, study_spurious_modes},
      {"short_run_out_of_equilibrium",
       "short-run noise-started training: samples best at the trained k, worse with more steps (exact chain)",
       {variants, text("short_run", value("short_run"), "the label of the short-run (noise-started) variant"),
        text("persistent", value("pcd"), "the label of the persistent-chain variant"),
        integer("train_k", value(5), 1, 1e6, "the k the short-run variant trains with"),
        list("sample_steps", values<int64_t>({1, 2, 5, 10, 20, 50, 100, 1000, 10000}),
             integer("k", required(), 1, 1e7, "steps"), "the k' at which samples are compared to the data (increasing)"),
        number("min_degradation", value(0.05), 0, 1, "how much the short-run TV must grow past its minimum")},
       {}, study_short_run_out_of_equilibrium},
      {"persistent_lag", "persistent chains lag a model that moves fast: chains-to-model TV against the learning rate",
       {list("learning_rates", values<double>({0.001, 0.01, 0.1}), number("lr", required(), 0, 1e3, "rate", true),
             "optimizer.lr of each run, increasing"),
        integer("start_steps", value(5000), 1, 1e9, "training steps of the model every rate continues from"),
        integer("measure_every", value(50), 1, 1e9, "updates between measurements (the config logs every update)"),
        number("min_lag_ratio", value(2.0), 0, 1e9, "how many times the independent-draw floor the fastest run's TV must be", true)},
       {}, study_persistent_lag},
      {"cd_divergence", "CD-1 at a large rate: exact log-likelihood peaks then falls while reconstruction error falls",
       {list("vary", required(), text("axis", required(), "KEY=V1,V2,..."), "the sweep's axes, as ebm sweep --vary takes them"),
        list("also", YAML::Node(YAML::NodeType::Sequence), text("variant", required(), "label: KEY=VALUE ..."),
             "further runs beside the sweep"),
        text("diverging", required(), "the run expected to diverge: a sweep label ('steps=1, lr=0.1') or a variant's"),
        number("min_drop", value(0.5), 0, 1e9, "nats it must lose from its best exact log-likelihood")},
       {}, study_cd_divergence},
      {"objective_comparison", "exact log-likelihood against wall time for every objective on one enumerable model",
       {variants, text("reference", value("exact"), "the label of the exact-gradient run"),
        text("biased", value("cd1"), "the label of a run expected to end below it"),
        number("within", value(0.1), 0, 1e6, "nats from the best that count as reached", true)},
       {}, study_objective_comparison},
      {"langevin_discretisation_bias", "unadjusted Langevin's stationary variance on N(0, 1) is 1 / (1 - eps/4); MALA's is 1",
       {list("step_sizes", values<double>({0.05, 0.1, 0.2, 0.5, 1.0, 1.5}), number("eps", required(), 0, 3.99, "step", true),
             "Langevin step sizes eps, increasing"),
        integer("chains", value(50000), 100, 1e8, "independent chains"),
        integer("snapshots", value(20), 1, 1e6, "states per chain, two relaxation times apart"),
        number("tolerance", value(0.02), 0, 1, "largest relative error of a stationary variance", true)},
       {}, study_langevin_discretisation_bias},
      {"langevin_mixture_weights",
       "Langevin with the exact score keeps its starting mode shares; annealed Langevin (the experiment's sampler) finds the weights",
       {integer("chains", value(10000), 100, 1e8, "chains, started uniformly across both modes"),
        integer("steps", value(5000), 1, 1e8, "plain Langevin steps"),
        number("step_size", value(0.1), 0, 10, "plain Langevin's eps", true),
        number("tolerance", value(0.03), 0, 1, "largest |annealed share - exact weight|", true)},
       {}, study_langevin_mixture_weights},
      {"nce_density_chasm", "NCE's errors grow with KL(data || noise); noise fitted to the data keeps them small",
       {list("kls", values<double>({0.5, 2, 5, 10, 20, 50}), number("kl", required(), 0, 1e6, "nats", true),
             "KL(data || noise) of each pair of runs, increasing"),
        number("threshold", value(0.1), 0, 1e6, "the error that counts as failed", true)},
       {}, study_nce_density_chasm},
      {"score_matching_cost", "exact score matching's step time grows with the dimension; sliced and denoising stay flat",
       {list("dims", values<int64_t>({2, 8, 32, 128, 392, 784}), integer("d", required(), 1, 1e5, "dimension"),
             "data dimensions timed, increasing"),
        integer("slope_from", value(32), 1, 1e5, "the slope is fitted over the dimensions from this one on"),
        integer("min_steps", value(3), 1, 1e6, "at least this many timed steps"),
        number("min_seconds", value(0.5), 0, 1e4, "and at least this many seconds"),
        integer("variance_dim", value(32), 1, 1e5, "dimension of the gradient comparison"),
        integer("repeats", value(100), 2, 1e6, "gradient estimates per cheap objective"),
        number("min_exact_slope", value(0.9), 0, 10, "exact score matching's slope must exceed this"),
        number("max_cheap_slope", value(0.5), 0, 10, "sliced and denoising slopes must stay below this")},
       {}, study_score_matching_cost},
      {"score_matching_blindness", "score matching cannot weigh separated modes; maximum likelihood can",
       {list("separations", values<double>({2, 4, 6, 8, 10}), number("s", required(), 0, 1e4, "stds", true),
             "distances between the two means, increasing"),
        list("objectives", required(), text("objective", required(), "label: KEY=VALUE ..."), "the fits compared"),
        integer("seeds", value(5), 1, 1000, "runs per objective and separation (seeds 1, 2, ...)"),
        text("blind", value("sm"), "the label of the score-matching fit"),
        text("reference", value("ml"), "the label of the maximum-likelihood fit"),
        number("min_factor", value(3.0), 0, 1e9, "how many times the reference's error the blind one must reach", true)},
       {}, study_score_matching_blindness}};
}

}  // namespace

const Registry<StudyFactory>& study_registry() {
  static const Registry<StudyFactory> registry("study", "log_likelihood_underflow",
                                               "the study that runs and computes the signature", studies());
  return registry;
}

}  // namespace ebm::experiments
