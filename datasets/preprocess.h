// Preparing real data for a model: scaling to [0, 1], binarising, splitting off held-out rows.
//   scale:     bytes x / 255; other values (x - min) / (max - min) with the training rows' min
//              and max (held-out rows use the same map, so they may fall slightly outside).
//   binarize:  threshold: 1[x > t]; stochastic: one Bernoulli(x) draw per value from the global
//              generator, so the seed fixes it (Salakhutdinov & Murray 2008 binarise MNIST so).
//   split:     `count` rows drawn at random (seeded) become the held-out set.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace ebm::datasets {

enum class Binarization { None, Threshold, Stochastic };
Binarization binarization(const std::string& name);  // "none", "threshold", "stochastic"
const std::vector<std::string>& binarization_names();

// Scales `x` with the map that takes `reference` (the training rows) to [0, 1].
torch::Tensor scale_to_unit(const torch::Tensor& x, bool bytes, const torch::Tensor& reference);

// Values outside [0, 1] are an io::InputError naming `what` and the first such value.
torch::Tensor binarize(const torch::Tensor& x, Binarization how, double threshold, const std::string& what);

// {training rows, held-out rows}: `count` random rows held out; io::InputError when count
// leaves no training rows.
std::pair<torch::Tensor, torch::Tensor> split_held_out(const torch::Tensor& rows, int64_t count, const std::string& what);

}  // namespace ebm::datasets
