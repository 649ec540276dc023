// The kinds of units an RBM's layers can have (model.visible.type, model.hidden.type).
#include <torch/torch.h>

#include "config/components.h"
#include "ebm/layers/binary_layer.h"
#include "ebm/layers/drelu_layer.h"
#include "ebm/layers/gaussian_layer.h"
#include "ebm/layers/potts_layer.h"
#include "ebm/layers/relu_layer.h"
#include "ebm/layers/scaled_gaussian_layer.h"
#include "ebm/layers/spin_layer.h"

namespace ebm::experiments {

namespace {

// A layer whose only size is its number of units.
template <class Layer>
LayerFactory units_only() {
  return [](const SectionConfig&, int64_t units) -> LayerPtr { return std::make_shared<Layer>(units); };
}

std::vector<Component<LayerFactory>> layers() {
  // Accepts: the domain of the layer's states, which a model with this visible layer has.
  const Accepts binary = Accepts::only(Domain::Binary), discrete = Accepts::only(Domain::Discrete),
                continuous = Accepts::only(Domain::Continuous);
  return {
      {"binary", "Bernoulli units in {0, 1}, E(x) = -theta x", {}, binary, units_only<BinaryLayerImpl>()},
      {"spin", "spin units in {-1, +1}, E(x) = -theta x (visible: data of -1s and +1s)", {}, discrete, units_only<SpinLayerImpl>()},
      {"potts", "Potts (categorical) units of `states` states written one-hot, E(x) = -theta_k for state k (visible: "
                "one-hot data, `states` columns per unit)",
       {integer("states", required(), 2, 100000, "states of each unit (columns per unit)")},
       discrete,
       [](const SectionConfig& c, int64_t units) -> LayerPtr { return std::make_shared<PottsLayerImpl>(units, c.get<int64_t>("states")); }},
      {"gaussian", "Gaussian units with learnt precisions, E(x) = gamma x^2 / 2 - theta x", {}, continuous,
       units_only<GaussianLayerImpl>()},
      {"scaled_gaussian",
       "Gaussian units of means b and learnt variances sigma^2 coupled through x / sigma^2, E(x) = (x - b)^2 / (2 sigma^2) "
       "(Cho, Ilin & Raiko 2011)",
       {boolean("learn_variance", value(true), "train the variances (else they stay at their start)")},
       continuous,
       [](const SectionConfig& c, int64_t units) -> LayerPtr {
         return std::make_shared<ScaledGaussianLayerImpl>(units, c.get<bool>("learn_variance"));
       }},
      {"relu", "ReLU units x >= 0, E(x) = gamma x^2 / 2 - theta x on x >= 0 (Tubiana & Monasson 2017)", {}, continuous,
       units_only<ReLULayerImpl>()},
      {"drelu", "dReLU units, a ReLU potential on each half-line (Tubiana, Cocco & Monasson 2019)", {}, continuous,
       units_only<DReLULayerImpl>()}};
}

}  // namespace

const Registry<LayerFactory>& layer_registry() {
  static const Registry<LayerFactory> registry("layer", "binary", "the kind of units of an RBM layer", layers());
  return registry;
}

}  // namespace ebm::experiments
