// Generating from a trained model: chains start from the objective's noise (uniform on the
// data's box widened by 10%, or coin flips for binary data) and run the sampler, and the
// pictures a person looks at: the density with the samples over it (2-D), or the samples as
// images (square data such as bars and stripes).
#pragma once

#include <string>

#include "config/experiment.h"

namespace ebm::experiments {

// What the end-of-run picture costs: 1000 chains for 1000 transitions on 2-D data; for images
// the 100 that the grid shows, for 1000 block Gibbs sweeps of an RBM (a long run: cheap, and
// short ones only show the starting noise) or 200 transitions of other models (each one a
// network pass per image).
struct PictureBudget {
  int64_t samples, steps;
};
PictureBudget picture_budget(const Experiment& e);

// The sampler that draws from a trained experiment whose config chose `sampler_type` (by an
// override that `flag` gave): checked against the model (ConfigError naming `flag`); with none
// chosen, the run's own where it can run on the model, else the first registered one that can
// (`note` then says which).
std::shared_ptr<samplers::Sampler> drawing_sampler(const Experiment& e, const std::string& sampler_type,
                                                   const std::string& flag, std::string* note);

// n samples [n, D] after `steps` transitions of `sampler` on the experiment's model.
torch::Tensor generate_samples(Experiment& e, samplers::Sampler& sampler, int64_t n, int64_t steps);

// Writes the picture of `samples` to `path` (PNG) when the data is 2-D or square images;
// returns whether it wrote one.
bool write_sample_picture(Experiment& e, const torch::Tensor& samples, const std::string& path, const std::string& title);

// For an RBM of square images: its first 100 filters (each hidden unit's weights as an image)
// to `path`; false (nothing written) for other models or data.
bool write_filter_picture(Experiment& e, const std::string& path);

// The persistent chains of a contrastive objective (objective.chain_source: persistent) on
// square images, as samples; false (nothing written) otherwise.
bool write_persistent_chain_picture(Experiment& e, const std::string& path);

// Writes samples as CSV (a header x0,x1,... then one sample per line), atomically.
void write_samples_csv(const std::string& path, const torch::Tensor& samples);

}  // namespace ebm::experiments
