// The studies of the failure-mode catalogue, one file each in experiments/failure_modes/ beside its YAML,
// registered in experiments/study_types.cpp (docs/FAILURE_MODES.md).
#pragma once

#include "experiments/study.h"

namespace ebm::experiments {

Signature study_log_likelihood_underflow(const StudyContext& c);
Signature study_phase_decomposition(const StudyContext& c);
Signature study_cd_bias(const StudyContext& c);
Signature study_cd_not_a_gradient(const StudyContext& c);
Signature study_cd_divergence(const StudyContext& c);
Signature study_spurious_modes(const StudyContext& c);
Signature study_gibbs_stuck(const StudyContext& c);
Signature study_persistent_lag(const StudyContext& c);
Signature study_short_run_out_of_equilibrium(const StudyContext& c);
Signature study_mcmc_convergence(const StudyContext& c);
Signature study_objective_comparison(const StudyContext& c);
Signature study_langevin_discretisation_bias(const StudyContext& c);
Signature study_langevin_mixture_weights(const StudyContext& c);
Signature study_nce_density_chasm(const StudyContext& c);
Signature study_score_matching_cost(const StudyContext& c);
Signature study_score_matching_blindness(const StudyContext& c);
Signature study_energy_blowup(const StudyContext& c);
Signature study_centering(const StudyContext& c);
Signature study_likelihood_estimates(const StudyContext& c);
Signature study_long_run_samples(const StudyContext& c);

}  // namespace ebm::experiments
