#include "config/experiment.h"

#include <fmt/format.h>
#include <torch/torch.h>
#ifdef EBM_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <thread>

#include "config/components.h"
#include "distributed/world.h"
#include "config/schema.h"
#include "io/out_of_memory.h"
#include "samplers/graphed_sampler.h"

namespace ebm::experiments {

int set_threads(int64_t threads) {
  int n = threads > 0 ? static_cast<int>(threads)
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
  return n;
}

void rethrow_naming_sizes(const Config& c, const std::string& during, const std::vector<std::string>& sections) {
  try {
    throw;
  } catch (const c10::Error& error) {
    const auto bytes = io::failed_allocation_bytes(error);
    if (!bytes) throw;
    std::vector<std::pair<long long, std::string>> sizes;
    auto consider = [&](const YAML::Node& value, const std::string& key) {
      const std::string text = value.IsScalar() ? value.Scalar() : std::string();
      if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return;
      sizes.emplace_back(std::stoll(text), key);
    };
    for (const auto& path : sections) {
      const YAML::Node node = c.at(path);
      if (!node.IsMap()) consider(node, path);
      for (const auto& item : node) {
        if (node.IsMap()) consider(item.second, path + "." + item.first.Scalar());
      }
    }
    std::sort(sizes.begin(), sizes.end(), std::greater<>());
    std::string named;
    for (size_t i = 0; i < std::min<size_t>(3, sizes.size()); ++i) {
      const auto& [size, key] = sizes[i];
      named += (named.empty() ? "" : ", ") + key + " = " + std::to_string(size) + " (" + c.where(key) + ")";
    }
    throw io::OutOfMemory(io::out_of_memory_message(*bytes, " " + during + (named.empty() ? "" : "; its largest sizes: " + named)));
  }
}

namespace {

// Refuses (ConfigError) a run name that is not a plain name: letters, digits, '.', '-', '_',
// not starting with '.', so that a run always lands inside runs/.
void require_plain_name(const std::string& name) {
  const bool plain = !name.empty() && name.size() <= 200 && name[0] != '.' &&
                     std::all_of(name.begin(), name.end(), [](unsigned char ch) {
                       return std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_';
                     });
  if (!plain) {
    throw ConfigError("'" + name.substr(0, 80) + (name.size() > 80 ? "...'" : "'") +
                      " is not a run name: use letters, digits, '.', '-' and '_' (not a path; --out chooses the directory)");
  }
}


// The data's bounding square widened by 25% on each side, or [-grid_box, grid_box]^2.
QuadratureGrid make_grid(const Config& c, const datasets::Dataset& data) {
  auto grid = QuadratureGrid().resolution(c.get<int64_t>("eval.grid_resolution"));
  const double box = c.get<double>("eval.grid_box");
  const auto held_out = data.evaluation_split().data();
  const double lo = std::min(data.data().min().item<double>(), held_out.min().item<double>());
  const double hi = std::max(data.data().max().item<double>(), held_out.max().item<double>());
  if (box > 0) {
    // The quadrature normalises over the box: a box that leaves data outside scores them with
    // mass the model does not have there (grid_ll +30 for a true -2.8).
    if (lo < -box || hi > box) {
      c.fail("eval.grid_box", fmt::format("{:.4g} leaves data outside the grid (the data span [{:.4g}, {:.4g}]): use at "
                                          "least {:.4g}, or 0 for the data's bounding square widened by 25%",
                                          box, lo, hi, std::max(-lo, hi)));
    }
    return grid.lo(-box).hi(box);
  }
  return grid.lo(lo - 0.25 * (hi - lo)).hi(hi + 0.25 * (hi - lo));
}

// Raises a ConfigError at `key` when the component described by `accepts` (and the object's own
// check, when given) cannot handle the model.
template <class Check>
void require_fit(const Config& c, const std::string& key, const Accepts& accepts, const Experiment& e,
                 const std::string& what, Check check, const std::string& hint) {
  try {
    require_accepted(accepts, *e.model, what, e.truth != nullptr);
    check();
  } catch (const std::invalid_argument& error) {
    c.fail(key, error.what() + hint);
  }
}

// train.cuda_graphs: the sampler recorded as a CUDA graph where that applies (auto), required (on).
std::shared_ptr<samplers::Sampler> with_cuda_graphs(const Config& c, std::shared_ptr<samplers::Sampler> sampler,
                                                     torch::Device device, const Component<ObjectiveFactory>& objective) {
  const auto mode = c.get<std::string>("train.cuda_graphs");
  if (mode == "off") return sampler;
  const std::string why_not = objective.accepts.needs_sampler
                                  ? samplers::GraphedSampler::unavailable_because(*sampler, device)
                                  : "the " + objective.name + " objective runs no sampler";
  if (why_not.empty()) return std::make_shared<samplers::GraphedSampler>(std::move(sampler));
  if (mode == "on") c.fail("train.cuda_graphs", "is on, but " + why_not + "; auto uses graphs only where they apply");
  return sampler;
}

std::string samplers_that_fit(const EnergyModelImpl& model) {
  std::string names;
  for (const auto& s : sampler_registry().components()) {
    if (is_accepted(s.accepts, model)) names += (names.empty() ? "" : ", ") + s.name;
  }
  return names;
}

// The GPU this process trains on: in a data-parallel job the one its local rank names (shared
// round-robin where the host has fewer), made the current device so that what LibTorch puts on
// "cuda" (generators, CUDA graphs' streams) is there too; else the current device.
torch::Device this_process_gpu() {
  const auto& world = distributed::World::joined();
  if (!world) return torch::kCUDA;
  const auto index = static_cast<c10::DeviceIndex>(world->local_rank() % static_cast<int>(torch::cuda::device_count()));
#ifdef EBM_WITH_CUDA
  c10::cuda::set_device(index);
#endif
  return {torch::kCUDA, index};
}

}  // namespace

Experiment build_experiment(const Config& c, const std::string& default_name) {
  Experiment e;
  e.config = c;
  e.name = c.get<std::string>("name").empty() ? default_name : c.get<std::string>("name");
  try {
    require_plain_name(e.name);
  } catch (const ConfigError& error) {
    c.fail("name", error.what());
  }
  e.config.set_name(e.name);
  if (c.get<std::string>("device") == "cuda") {
    if (!torch::cuda::is_available()) c.fail("device", "CUDA is not available on this machine or in this LibTorch");
    e.device = this_process_gpu();
  }
  const auto dtype = c.get<std::string>("dtype") == "float64" ? torch::kFloat64 : torch::kFloat32;
  set_threads(c.get<int64_t>("threads"));
  torch::manual_seed(c.get<uint64_t>("seed"));

  const auto& data = data_registry().at(c.get<std::string>("data.type"));
  try {
    e.data = std::make_shared<datasets::Dataset>(data.make.data(SectionConfig(c, "data")).to(e.device, dtype));
  } catch (const c10::Error&) {
    rethrow_naming_sizes(c, "reading the data", {"data"});
  }
  if (data.make.truth) e.truth = data.make.truth(SectionConfig(c, "data"));
  e.grid = make_grid(c, *e.data);

  const auto& model = model_registry().at(c.get<std::string>("model.type"));
  const Domain data_domain = e.data->is_binary() ? Domain::Binary : Domain::Continuous;
  if (!model.accepts.accepts(data_domain)) {
    const bool binarizable = std::any_of(data.fields.begin(), data.fields.end(), [](const Field& f) { return f.name == "binarize"; });
    c.fail("model.type", model.name + " models " + model.accepts.domain_words() + " data; '" + e.data->name() + "' is " +
                             domain_name(data_domain) +
                             (binarizable && data_domain == Domain::Continuous
                                  ? " (data.binarize: threshold or stochastic makes [0, 1] data binary)"
                                  : ""));
  }
  if (model.accepts.known_density && !e.truth) {
    c.fail("model.type", model.name + " needs data with a known density (eight_gaussians, grid_25), not '" + e.data->name() + "'");
  }
  try {
    e.model = model.make(SectionConfig(c, "model"), e);
    e.model->to(e.device, dtype);
  } catch (const c10::Error&) {
    rethrow_naming_sizes(c, "building the model", {"model"});
  }

  const auto& sampler = sampler_registry().at(c.get<std::string>("sampler.type"));
  e.sampler = sampler.make(SectionConfig(c, "sampler"));
  const auto& objective = objective_registry().at(c.get<std::string>("objective.type"));
  if (objective.accepts.needs_sampler) {
    require_fit(c, "sampler.type", sampler.accepts, e, "the " + sampler.name + " sampler",
                [&] { e.sampler->check_model(*e.model); },
                "; the " + objective.name + " objective runs the sampler: choose one of " + samplers_that_fit(*e.model));
  }
  e.sampler = with_cuda_graphs(c, e.sampler, e.device, objective);
  e.objective = objective.make(SectionConfig(c, "objective"), e);
  require_fit(c, "objective.type", objective.accepts, e, "the " + objective.name + " objective",
              [&] { e.objective->check_model(*e.model); }, "");

  auto trained = e.model->parameters();
  for (const auto& p : e.objective->parameters()) trained.push_back(p);
  e.optimizer = optimizer_registry().at(c.get<std::string>("optimizer.type")).make(SectionConfig(c, "optimizer"), trained);

  const SectionConfig eval(c, "eval");
  for (const auto& evaluator : evaluator_registry().components()) {
    if (!eval.get<bool>(evaluator.name)) continue;
    std::shared_ptr<trainers::Evaluator> made;
    require_fit(c, eval.path(evaluator.name), evaluator.accepts, e, evaluator.name,
                [&] {
                  made = evaluator.make(eval, e);
                  made->check_model(*e.model);
                },
                " (set it to false)");
    e.evaluators.push_back(made);
  }

  const auto log_every = c.get<int64_t>("train.log_every");
  const auto checkpoint_every = c.get<int64_t>("train.checkpoint_every");
  if (checkpoint_every % log_every != 0) {
    c.fail("train.checkpoint_every", "must be a multiple of train.log_every (" + std::to_string(log_every) + ")");
  }
  const auto eval_every = c.get<int64_t>("train.eval_every");
  if (eval_every % log_every != 0) {
    c.fail("train.eval_every", "must be 0 or a multiple of train.log_every (" + std::to_string(log_every) + ")");
  }
  e.train_options = trainers::TrainerOptions()
                        .steps(c.get<int64_t>("train.steps"))
                        .batch_size(c.get<int64_t>("train.batch_size"))
                        .lr_schedule(schedule_registry().at(c.get<std::string>("train.lr_schedule")).make)
                        .grad_clip(c.get<double>("train.grad_clip"))
                        .log_every(log_every)
                        .checkpoint_every(checkpoint_every)
                        .eval_every(eval_every)
                        .rollback_on_divergence(c.get<std::string>("train.on_divergence") == "rollback")
                        .max_abs_energy(c.get<double>("train.max_abs_energy"))
                        .rollback_lr_factor(c.get<double>("train.rollback_lr_factor"))
                        .max_rollbacks(c.get<int64_t>("train.max_rollbacks"))
                        .check_every(c.get<int64_t>("train.check_every"))
                        .config_text(e.config.to_yaml());
  return e;
}

namespace {
// The first leaf under `path` whose value differs between a and b, or "".
std::string first_difference(const YAML::Node& a, const YAML::Node& b, const std::string& path) {
  if (a.IsMap() && b.IsMap()) {
    if (a["type"] && b["type"] && a["type"].Scalar() != b["type"].Scalar()) return path + ".type";
    for (const auto& item : a) {
      const auto key = item.first.Scalar();
      auto found = first_difference(item.second, b[key], path + "." + key);
      if (!found.empty()) return found;
    }
    return "";
  }
  if (a.IsSequence() && b.IsSequence()) {
    if (a.size() != b.size()) return path;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!first_difference(a[i], b[i], path).empty()) return path;
    }
    return "";
  }
  return a.IsScalar() && b.IsScalar() && a.Scalar() == b.Scalar() ? "" : path;
}
}  // namespace

void require_same_training_setup(const Config& config, const std::string& trained, bool resuming) {
  // The checkpoint's config was resolved by this schema, so it parses back into a Config.
  const Config then = Config::parse(trained, "the checkpoint's config", {}, experiment_schema());
  std::vector<std::string> keys = {"dtype", "data", "model"};
  if (resuming) {
    keys.insert(keys.end(), {"seed", "objective.type", "objective.chain_source", "sampler.type", "optimizer.type"});
  }
  for (const auto& key : keys) {
    if (key == "objective.chain_source" && then.get<std::string>("objective.type") != "contrastive") continue;
    const auto changed = first_difference(config.at(key), then.at(key), key);
    if (changed.empty()) continue;
    const YAML::Node was = then.at(changed);
    YAML::Emitter shown;
    shown << YAML::Flow << was;
    config.fail(changed, "the checkpoint was trained with " + changed + " = " + shown.c_str() +
                             (resuming ? "; a resumed run keeps its seed, model, data, dtype and its objective, sampler "
                                         "and optimiser types (start a new run to change them)"
                                       : "; a trained run keeps its model, data and dtype"));
  }
}

std::shared_ptr<samplers::Sampler> sampler_for_pictures(const Experiment& e, std::string* note) {
  const auto& configured = sampler_registry().at(e.config.get<std::string>("sampler.type"));
  if (is_accepted(configured.accepts, *e.model)) return e.sampler;
  for (const auto& s : sampler_registry().components()) {
    if (!is_accepted(s.accepts, *e.model)) continue;
    const Config defaults = Config::section_defaults(sampler_registry().schema(), s.name);
    *note = "the configured " + configured.name + " sampler cannot run on " + e.model->type_name() +
            "; the pictures use " + s.name + " with its defaults";
    return s.make(SectionConfig(defaults, "sampler"));
  }
  return nullptr;
}

}  // namespace ebm::experiments
