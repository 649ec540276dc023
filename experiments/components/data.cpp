// The data sets a config can name (data.type).
#include <torch/torch.h>

#include "datasets/bars_and_stripes.h"
#include "datasets/idx.h"
#include "datasets/toy_2d.h"
#include "experiments/components.h"

namespace ebm::experiments {

namespace {

// A known mixture's exact density (equal weights, isotropic components), or null.
std::shared_ptr<AnalyticDensity> mixture_density(const std::string& name) {
  auto mixture = datasets::toy_2d_mixture(name);
  if (!mixture) return nullptr;
  const int64_t k = mixture->means.size(0);
  auto trils = mixture->std * torch::eye(2, torch::kFloat64).expand({k, 2, 2});
  return GaussianMixture(mixture->weights, mixture->means, trils).ptr();
}

// The `mixture` data set's exact density: K isotropic Gaussians of one std in `dim` dimensions,
// their means on the first axis, `separation` apart, centred on `offset`.
std::shared_ptr<AnalyticDensity> configured_mixture(const SectionConfig& c) {
  const auto weights = c.get<std::vector<double>>("weights");
  const int64_t k = static_cast<int64_t>(weights.size()), d = c.get<int64_t>("dim");
  auto means = torch::zeros({k, d}, torch::kFloat64);
  for (int64_t j = 0; j < k; ++j) {
    means[j][0] = c.get<double>("offset") + (static_cast<double>(j) - (k - 1) / 2.0) * c.get<double>("separation");
  }
  auto trils = (c.get<double>("std") * torch::eye(d, torch::kFloat64)).expand({k, d, d}).contiguous();
  return GaussianMixture(torch::tensor(weights, torch::kFloat64), means, trils).ptr();
}

std::vector<Component<DataFactory>> components() {
  const Accepts binary = Accepts::only(Domain::Binary), continuous = Accepts::only(Domain::Continuous);
  std::vector<Component<DataFactory>> sets = {
      {"bars_and_stripes", "every bars-and-stripes image of size x size pixels, 2^(size+1) patterns (MacKay 2003)",
       {integer("size", value(4), 2, 12, "images are size x size pixels")},
       binary,
       {[](const SectionConfig& c) { return datasets::bars_and_stripes(c.get<int64_t>("size")); }, nullptr}},
      {"fashion_mnist", "28x28 images in [0, 1] installed by scripts/setup (Xiao et al. 2017)",
       {integer("train_size", value(60000), 1, 60000, "training images (the first ones of the training file)"),
        integer("held_out", value(2000), 0, 10000, "test images that evaluators score")},
       continuous,
       {[](const SectionConfig& c) {
          try {
            return datasets::fashion_mnist(c.get<int64_t>("train_size"), c.get<int64_t>("held_out"));
          } catch (const io::InputError& error) {
            c.fail("type", error.what());
          }
        },
        nullptr}}};
  sets.push_back(
      {"mixture",
       "isotropic Gaussians in dim dimensions with given weights, their means on the first axis separation apart "
       "around offset; exact density known",
       {integer("dim", value(2), 1, 10000, "dimensions"),
        list("weights", values<double>({0.5, 0.5}), number("weight", required(), 0, 1e9, "weight", true),
             "component weights (normalised), one per component"),
        number("separation", value(4.0), 0, 1e6, "distance between neighbouring means"),
        number("offset", value(0.0), -1e6, 1e6, "where the means are centred on the first axis"),
        number("std", value(1.0), 0, 1e6, "each component's standard deviation", true),
        integer("train_size", value(10000), 1, 1e8, "training points, drawn with the seed"),
        integer("held_out", value(2000), 0, 1e8, "further points that evaluators score")},
       continuous,
       {[](const SectionConfig& c) {
          auto density = configured_mixture(c);
          const int64_t train = c.get<int64_t>("train_size"), held = c.get<int64_t>("held_out");
          auto points = std::static_pointer_cast<GaussianMixtureImpl>(density)->sample(train + held).to(torch::kFloat32);
          return datasets::Dataset(points.slice(0, 0, train), "mixture", held > 0 ? points.slice(0, train) : torch::Tensor());
        },
        configured_mixture}});
  for (const auto& name : datasets::toy_2d_names()) {
    const bool known = datasets::toy_2d_mixture(name).has_value();
    sets.push_back(
        {name, "2-D points (datasets/toy_2d.h)" + std::string(known ? ", exact density known" : ""),
         {integer("train_size", value(10000), 1, 1e8, "training points, drawn with the seed"),
          integer("held_out", value(2000), 0, 1e8, "further points that evaluators score")},
         continuous,
         {[name](const SectionConfig& c) {
            return datasets::toy_2d(name, c.get<int64_t>("train_size"), c.get<int64_t>("held_out"));
          },
          known ? std::function<std::shared_ptr<AnalyticDensity>(const SectionConfig&)>(
                      [name](const SectionConfig&) { return mixture_density(name); })
                : nullptr}});
  }
  return sets;
}

}  // namespace

const Registry<DataFactory>& data_registry() {
  static const Registry<DataFactory> registry("data", "bars_and_stripes", "the training data", components());
  return registry;
}

}  // namespace ebm::experiments
