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

std::vector<Component<DataFactory>> components() {
  const Accepts binary = Accepts::only(Domain::Binary), continuous = Accepts::only(Domain::Continuous);
  std::vector<Component<DataFactory>> list = {
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
  for (const auto& name : datasets::toy_2d_names()) {
    const bool known = datasets::toy_2d_mixture(name).has_value();
    list.push_back(
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
  return list;
}

}  // namespace

const Registry<DataFactory>& data_registry() {
  static const Registry<DataFactory> registry("data", "bars_and_stripes", "the training data", components());
  return registry;
}

}  // namespace ebm::experiments
