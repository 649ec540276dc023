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
       {}, study_cd_not_a_gradient}};
}

}  // namespace

const Registry<StudyFactory>& study_registry() {
  static const Registry<StudyFactory> registry("study", "log_likelihood_underflow",
                                               "the study that runs and computes the signature", studies());
  return registry;
}

}  // namespace ebm::experiments
