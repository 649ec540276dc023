// The registered components, one registry per section. Each list lives in the file of its
// section under config/components/, beside nothing else: a new component is its own code
// plus one entry there. Factories read their keys through a SectionConfig and may look at the
// parts of the experiment built before them (data, then model, sampler, objective, evaluators).
#pragma once

#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>

#include "config/experiment.h"
#include "ebm/layers/layer.h"
#include "config/registry.h"
#include "samplers/chain_source.h"

namespace ebm::experiments {

struct DataFactory {
  std::function<datasets::Dataset(const SectionConfig&)> data;
  // The data's exact density, or null when it is not known.
  std::function<std::shared_ptr<AnalyticDensity>(const SectionConfig&)> truth;
};
using ModelFactory = std::function<EnergyModelPtr(const SectionConfig&, const Experiment&)>;
using SamplerFactory = std::function<std::shared_ptr<samplers::Sampler>(const SectionConfig&)>;
// Reads the objective's section (chains, buffer_size, ...).
using ChainSourceFactory = std::function<std::shared_ptr<samplers::ChainSource>(const SectionConfig&, const Experiment&)>;
using ObjectiveFactory = std::function<std::shared_ptr<trainers::Objective>(const SectionConfig&, const Experiment&)>;
// A noise density fitted to the training data (float64 rows).
using NoiseFactory = std::function<std::shared_ptr<AnalyticDensity>(const torch::Tensor&)>;
// Reads the eval section.
using EvaluatorFactory = std::function<std::shared_ptr<trainers::Evaluator>(const SectionConfig&, const Experiment&)>;
using OptimizerFactory = std::function<std::unique_ptr<torch::optim::Optimizer>(const SectionConfig&, const std::vector<torch::Tensor>&)>;
// A layer of `units` units (an RBM's visible or hidden layer: model.visible, model.hidden).
using LayerFactory = std::function<LayerPtr(const SectionConfig&, int64_t units)>;
// lr(t) = lr0 * factor(t / T).
using ScheduleFactory = std::function<double(double)>;

const Registry<DataFactory>& data_registry();
const Registry<ModelFactory>& model_registry();
// The kinds of units an `rbm` model's layers can have (ebm/layers/): a new kind is its own file
// there plus one entry in config/components/layers.cpp.
const Registry<LayerFactory>& layer_registry();
const Registry<SamplerFactory>& sampler_registry();
const Registry<ChainSourceFactory>& chain_source_registry();
const Registry<ObjectiveFactory>& objective_registry();
const Registry<NoiseFactory>& noise_registry();
const Registry<OptimizerFactory>& optimizer_registry();
const Registry<ScheduleFactory>& schedule_registry();
// Every evaluator has a boolean key eval.NAME (off by default) and its own keys in the eval
// section; registration order is the order in which the first enabled one defines "best".
const Registry<EvaluatorFactory>& evaluator_registry();
// Keys of the eval section that every evaluator shares (the quadrature grid, sample counts).
const std::vector<Field>& shared_eval_fields();

// Throws std::invalid_argument saying why when `accepts` rules `model` out (on data whose density
// is known or not, `known_density`).
void require_accepted(const Accepts& accepts, const EnergyModelImpl& model, const std::string& what,
                      bool known_density = true);
bool is_accepted(const Accepts& accepts, const EnergyModelImpl& model, bool known_density = true);

}  // namespace ebm::experiments
