// The energy models a config can name (model.type).
#include <torch/torch.h>

#include <cmath>

#include "ebm/conv_energy.h"
#include "ebm/layered_rbm.h"
#include "ebm/mlp_energy.h"
#include "ebm/pairwise_ising.h"
#include "ebm/pairwise_model.h"
#include "ebm/torchscript_energy.h"
#include "io/input_error.h"
#include "config/components.h"

namespace ebm::experiments {

namespace {

// model.visible and model.hidden: a section whose `type` chooses the kind of units (the layer
// registry); the hidden one also has its number of units.
Field layer_section(const std::string& name, const std::string& help, bool with_units) {
  Field f = layer_registry().schema();
  f.name = name, f.help = help;
  if (with_units) f.fields.push_back(integer("units", required(), 1, 100000, "number of hidden units"));
  return f;
}

// The configured layer `key` (visible or hidden) of `units` units.
LayerPtr configured_layer(const SectionConfig& c, const std::string& key, int64_t units) {
  const SectionConfig layer(c.config(), c.path(key));
  return layer_registry().at(layer.get<std::string>("type")).make(layer, units);
}

// The keys that choose a pairwise model's graph (model.type ising and pairwise).
std::vector<Field> graph_fields() {
  return {choice("graph", value("lattice"), {"lattice", "complete", "file"},
                 "lattice: periodic, of the sides below; complete: every pair; file: the edge list at `edges`"),
          may_be_empty(list("sides", values<int64_t>({}), integer("side", required(), 2, 1e6, "side"),
                            "lattice sides (their product the number of units); empty: a square")),
          text("edges", value(""), "file: one \"i,j\" per line, 0-based units (relative to the working directory)"),
          number("init_std", value(0.01), 0, 10, "std of the initial couplings")};
}

// The configured graph's edges [E, 2] between `units` units.
torch::Tensor configured_edges(const SectionConfig& c, int64_t units) {
  const auto graph = c.get<std::string>("graph");
  if (graph == "complete") return complete_edges(units);
  if (graph == "file") {
    if (c.get<std::string>("edges").empty()) c.fail("edges", "graph: file needs the edge list's path");
    try {
      return read_edge_list(c.get<std::string>("edges"), units);
    } catch (const std::invalid_argument& error) {
      c.fail("edges", error.what());
    }
  }
  auto sides = c.get<std::vector<int64_t>>("sides");
  if (sides.empty()) {
    const auto side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(units))));
    if (side * side != units) c.fail("sides", "the " + std::to_string(units) + " units are no square: give the sides");
    sides = {side, side};
  }
  int64_t product = 1;
  for (const int64_t side : sides) product *= side;
  if (product != units) c.fail("sides", "their product " + std::to_string(product) + " is not the " + std::to_string(units) + " units");
  return lattice_edges(sides);
}

// The configured layer at `key` for the data's columns, whose rows (training and held-out) must be
// its states; every problem is a config error at `key`.
LayerPtr layer_of_data(const SectionConfig& c, const std::string& key, const Experiment& e) {
  const int64_t columns_per_unit = configured_layer(c, key, 1)->width();
  if (e.data->dim() % columns_per_unit != 0) {
    c.fail(key, "its units have " + std::to_string(columns_per_unit) + " columns each, which do not divide the " +
                    std::to_string(e.data->dim()) + " columns of '" + e.data->name() + "'");
  }
  auto layer = configured_layer(c, key, e.data->dim() / columns_per_unit);
  const auto held_out = e.data->evaluation_split();
  for (const auto* rows : {&e.data->data(), &held_out.data()}) {
    const auto why = layer->invalid_state(rows->cpu());
    if (!why.empty()) {
      c.fail(key + ".type", "'" + e.data->name() + "' is not data for " + layer->type_name() + " units: its " +
                                (rows == &e.data->data() ? "training " : "held-out ") + why);
    }
  }
  return layer;
}

// A pairwise model on the configured graph over the data's units.
EnergyModelPtr pairwise_model(const SectionConfig& c, const Experiment& e) {
  auto units = std::dynamic_pointer_cast<LinearLayerImpl>(layer_of_data(c, "units", e));
  if (!units || !units->unit_states()) c.fail("units.type", "a pairwise model's units are binary, spin or potts");
  auto model = PairwiseModel(PairwiseModelOptions(units, configured_edges(c, units->units())).init_std(c.get<double>("init_std")));
  if (c.get<bool>("fields_from_data")) model->init_fields_from(e.data->data());
  return model.ptr();
}

// A layered RBM on the data: the visible layer's units follow the data's columns.
EnergyModelPtr layered_rbm(const SectionConfig& c, const Experiment& e) {
  auto visible = layer_of_data(c, "visible", e);
  const int64_t hidden_units = SectionConfig(c.config(), c.path("hidden")).get<int64_t>("units");
  auto rbm = LayeredRBM(LayeredRBMOptions(visible, configured_layer(c, "hidden", hidden_units))
                            .init_std(c.get<double>("init_std"))
                            .centered(c.get<bool>("centered"))
                            .offset_rate(c.get<double>("offset_rate")));
  if (c.get<bool>("visible_from_data")) rbm->init_visible_from(e.data->data());
  if (c.get<bool>("centered")) rbm->set_visible_offset(e.data->data());
  return rbm.ptr();
}

std::vector<Component<ModelFactory>> components() {
  const Accepts binary = Accepts::only(Domain::Binary), continuous = Accepts::only(Domain::Continuous),
                binary_or_continuous = Accepts::only({Domain::Binary, Domain::Continuous}),
                discrete = Accepts::only({Domain::Binary, Domain::Discrete});
  Accepts square_images = continuous, known_density = continuous;
  square_images.also = "square single-channel images";
  known_density.known_density = true;
  // Defaults come from the options structs (sizes are set by the factories).
  const LayeredRBMOptions rbm(nullptr, nullptr);
  const MLPEnergyOptions mlp(0, {});
  const ConvEnergyOptions conv(1, 1, 1);
  return {
      {"bernoulli_rbm", "a Bernoulli-Bernoulli RBM, E(v, h) = -b'v - c'h - v'Wh (Hinton 2002): model.type rbm with binary layers",
       {integer("hidden", required(), 1, 100000, "number of hidden units"),
        number("init_std", value(rbm.init_std()), 0, 10, "std of the initial weights"),
        boolean("visible_bias_from_data", value(true), "start visible biases at the log-odds of the data marginals"),
        boolean("centered", value(rbm.centered()),
                "centred parametrisation (Melchior et al. 2016): visible offsets the data mean, hidden offsets a running "
                "mean of p(h | data)"),
        number("offset_rate", value(rbm.offset_rate()), 0, 1, "centered: how fast the hidden offsets follow p(h | data)")},
       binary,
       [](const SectionConfig& c, const Experiment& e) -> EnergyModelPtr {
         auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(e.data->dim(), c.get<int64_t>("hidden"))
                                   .init_std(c.get<double>("init_std"))
                                   .centered(c.get<bool>("centered"))
                                   .offset_rate(c.get<double>("offset_rate")));
         if (c.get<bool>("visible_bias_from_data")) rbm->init_visible_from(e.data->data());
         if (c.get<bool>("centered")) rbm->set_visible_offset(e.data->data());
         return rbm.ptr();
       }},
      {"gaussian_bernoulli_rbm",
       "a Gaussian-Bernoulli RBM with learnt per-unit variances, E(v, h) = |v - b|^2/(2 sigma^2) - (v/sigma^2)'Wh - c'h "
       "(Cho, Ilin & Raiko 2011): model.type rbm with scaled_gaussian visible and binary hidden layers",
       {integer("hidden", required(), 1, 100000, "number of hidden units (up to 24 for exact log Z)"),
        number("init_std", value(rbm.init_std()), 0, 10, "std of the initial weights"),
        boolean("learn_variance", value(true), "train the visible variances (else they stay at their start)"),
        boolean("init_from_data", value(true), "start visible biases and variances at the data's means and variances")},
       continuous,
       [](const SectionConfig& c, const Experiment& e) -> EnergyModelPtr {
         auto rbm = LayeredRBM(LayeredRBMOptions::gaussian_bernoulli(e.data->dim(), c.get<int64_t>("hidden"), c.get<bool>("learn_variance"))
                                   .init_std(c.get<double>("init_std")));
         if (c.get<bool>("init_from_data")) rbm->init_visible_from(e.data->data());
         return rbm.ptr();
       }},
      {"rbm",
       "an RBM of two layers of any kind of unit (binary, spin, Potts, Gaussian, scaled Gaussian, ReLU, dReLU), "
       "E(v, h) = E_v(v) + E_h(h) - s(v)'W s(h), s(x) = x but x/sigma^2 for scaled_gaussian units (ebm/layered_rbm.h)",
       {layer_section("visible", "the visible layer; its units follow the data's columns", false),
        layer_section("hidden", "the hidden layer", true),
        number("init_std", value(rbm.init_std()), 0, 10, "std of the initial weights"),
        boolean("visible_from_data", value(true),
                "start the visible layer at its independent fit to the data (log-odds, frequencies, mean and variance)"),
        boolean("centered", value(rbm.centered()),
                "centred parametrisation (Melchior et al. 2016): offsets the data mean and a running mean of E[h | data]"),
        number("offset_rate", value(rbm.offset_rate()), 0, 1, "centered: how fast the hidden offsets follow E[h | data]")},
       binary_or_continuous, layered_rbm},
      {"mlp", "a multilayer perceptron with a scalar output as the energy",
       {integer("width", value(128), 1, 100000, "units in each hidden layer"),
        integer("depth", value(3), 1, 100, "linear layers, the scalar output layer included"),
        choice("activation", value(mlp.activation()), MLPEnergyImpl::activations(), "hidden-layer nonlinearity"),
        boolean("spectral_norm", value(mlp.spectral_norm()), "divide each weight by its largest singular value")},
       binary_or_continuous,
       [](const SectionConfig& c, const Experiment& e) -> EnergyModelPtr {
         std::vector<int64_t> widths(static_cast<size_t>(c.get<int64_t>("depth") - 1), c.get<int64_t>("width"));
         return MLPEnergy(MLPEnergyOptions(e.data->dim(), widths)
                              .activation(c.get<std::string>("activation"))
                              .spectral_norm(c.get<bool>("spectral_norm"))
                              .domain(e.data->is_binary() ? Domain::Binary : Domain::Continuous))
             .ptr();
       }},
      {"ising",
       "an Ising model on a graph, spins s = 2x - 1: E(x) = -sum_edges J_ij s_i s_j - sum_i h_i s_i, every coupling and "
       "field trained",
       graph_fields(),
       binary,
       [](const SectionConfig& c, const Experiment& e) -> EnergyModelPtr {
         const int64_t units = e.data->dim();
         const auto edges = configured_edges(c, units);
         return PairwiseIsing(PairwiseIsingOptions(units, edges).init_std(c.get<double>("init_std"))).ptr();
       }},
      {"pairwise",
       "a pairwise model on a graph over binary, spin or Potts units: E(x) = -sum_i theta_i . x_i - sum_edges x_i' J_ij "
       "x_j, a coupling matrix per edge (generalised Potts; Ising with spins), every coupling and field trained "
       "(ebm/pairwise_model.h)",
       [&] {
         auto fields = graph_fields();
         fields.insert(fields.begin(), layer_section("units", "the units; they follow the data's columns (binary, spin or potts)", false));
         fields.push_back(boolean("fields_from_data", value(true), "start the fields at the independent fit to the data's marginals"));
         return fields;
       }(),
       discrete,
       pairwise_model},
      {"torchscript",
       "an energy written in PyTorch: a scripted or traced torch.nn.Module (torch.jit.save) whose forward(x) maps a batch "
       "[N, D] to N energies; its parameters are trained, checkpointed and exported like any model's",
       {text("path", required(), "the TorchScript file (relative to the working directory)")},
       continuous,
       [](const SectionConfig& c, const Experiment& e) -> EnergyModelPtr {
         try {
           return TorchScriptEnergy(TorchScriptEnergyOptions(c.get<std::string>("path"), e.data->dim())).ptr();
         } catch (const io::InputError& error) {
           c.fail("path", error.what());
         }
       }},
      {"convnet", "a small ConvNet energy for images (three stride-2 convolutions, then a linear layer)",
       {integer("base_channels", value(conv.base_channels()), 1, 4096, "channels of the first convolution (then x2, x4)")},
       square_images,
       [](const SectionConfig& c, const Experiment& e) -> EnergyModelPtr {
         const int64_t dim = e.data->dim();
         const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(dim))));
         if (side * side != dim) {
           c.fail("type", "convnet needs square single-channel images; '" + e.data->name() + "' rows have " +
                              std::to_string(dim) + " values");
         }
         return ConvEnergy(ConvEnergyOptions(1, side, side).base_channels(c.get<int64_t>("base_channels"))).ptr();
       }},
      {"gaussian", "a trainable full-covariance Gaussian",
       {choice("init", value("standard"), {"standard", "data"},
               "where it starts: N(0, I), or the data's mean and covariance")},
       continuous,
       [](const SectionConfig& c, const Experiment& e) -> EnergyModelPtr {
         const int64_t d = e.data->dim();
         if (c.get<std::string>("init") == "standard") return Gaussian(torch::zeros({d}), torch::eye(d)).ptr();
         auto x = e.data->data().to(torch::kFloat64);
         auto centred = x - x.mean(0);
         auto covariance = centred.t().mm(centred) / static_cast<double>(std::max<int64_t>(1, x.size(0) - 1)) +
                           1e-6 * torch::eye(d, torch::kFloat64);
         return Gaussian(x.mean(0).to(torch::kFloat32), torch::linalg_cholesky(covariance).to(torch::kFloat32)).ptr();
       }},
      {"mixture_weights", "the data's Gaussian mixture with its weights to learn, from equal (and its means and widths, if asked)",
       {boolean("learn_means_and_widths", value(false), "also train the means and widths (from the data's own)")},
       known_density,
       [](const SectionConfig& c, const Experiment&) -> EnergyModelPtr {
         const auto& data = data_registry().at(c.config().get<std::string>("data.type"));
         auto density = std::dynamic_pointer_cast<GaussianMixtureImpl>(data.make.truth(SectionConfig(c.config(), "data")));
         if (!density) c.fail("type", "mixture_weights needs data that is a Gaussian mixture");
         torch::NoGradGuard no_grad;
         density->logits.zero_();
         if (!c.get<bool>("learn_means_and_widths")) {
           for (auto* fixed : {&density->means, &density->tril_offdiag, &density->log_diag}) fixed->set_requires_grad(false);
         }
         return density;
       }},
      {"data_density", "the data's exact density, an analytic target for samplers", {}, known_density,
       [](const SectionConfig& c, const Experiment&) -> EnergyModelPtr {
         const auto& data = data_registry().at(c.config().get<std::string>("data.type"));
         // A copy of its own: an objective training it must not move the truth true_ll scores against.
         return data.make.truth(SectionConfig(c.config(), "data"));
       }}};
}

}  // namespace

const Registry<ModelFactory>& model_registry() {
  static const Registry<ModelFactory> registry(
      "model", "bernoulli_rbm", "the energy model; the visible size comes from the data", components());
  return registry;
}

}  // namespace ebm::experiments
