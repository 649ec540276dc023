// The registry: every component type a config can name (data, model, sampler, chain source,
// objective, noise, evaluator, optimiser, schedule) is one Component, registered once in the
// file of its section (config/components/). The schema, docs/CONFIG.md, the command line's
// choice lists and the compatibility checks are all derived from these lists, so a new
// component is its own files plus one entry.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ebm/energy_model.h"
#include "config/config.h"

namespace ebm::experiments {

// A view of one section of a validated config: get("hidden") reads "model.hidden", and
// fail("hidden", ...) raises a ConfigError located at that key.
class SectionConfig {
 public:
  SectionConfig(const Config& config, std::string section) : config_(config), section_(std::move(section)) {}
  template <class T>
  T get(const std::string& key) const { return config_.get<T>(path(key)); }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const { config_.fail(path(key), message); }
  std::string path(const std::string& key) const { return section_.empty() ? key : section_ + "." + key; }
  const Config& config() const { return config_; }

 private:
  const Config& config_;
  std::string section_;
};

// What a component works with. For data: the domain of its values. For a model: the domain of
// the data it models. For samplers, chain sources, objectives, noise and evaluators: the model
// domains it can handle, and whether it needs a latent-variable model (hidden units), a 2-D
// model, a Gaussian, or data whose density is known. This is the one statement of what fits: the
// components themselves check only what depends on their options or the model's sizes.
struct Accepts {
  std::vector<Domain> domains = {Domain::Binary, Domain::Continuous, Domain::Discrete};
  bool latent_variable = false;
  bool two_dimensional = false;  // a 2-D model (grid quadrature, pictures of the density)
  bool known_density = false;    // data whose exact density is known (the 2-D mixtures)
  bool needs_sampler = false;    // objectives: whether the negative phase runs the configured sampler
  bool gaussian = false;         // a Gaussian density in closed form (EnergyModelImpl::gaussian_mixture_form)
  bool graph = false;            // a pairwise model on a graph (EnergyModelImpl::interaction_graph)
  std::string also;              // further requirements, in words, for the reference

  // Components of these domains only: Accepts::only(Domain::Binary).
  static Accepts only(Domain d) { return only(std::vector<Domain>{d}); }
  static Accepts only(std::vector<Domain> ds) {
    Accepts a;
    a.domains = std::move(ds);
    return a;
  }
  Accepts& with_latent_variables() { latent_variable = true; return *this; }

  bool accepts(Domain d) const;
  std::string domain_words() const;  // "binary", "continuous" or "binary or continuous"
  std::string describe() const;      // "binary or continuous models", "binary latent-variable models", ...
};

template <class Factory>
struct Component {
  std::string name, help;
  std::vector<Field> fields;  // its config keys, inside its section
  Accepts accepts;
  Factory make;
};

template <class Factory>
class Registry {
 public:
  Registry(std::string section, std::string default_name, std::string help,
           std::vector<Component<Factory>> components)
      : section_(std::move(section)), default_(std::move(default_name)), help_(std::move(help)),
        components_(std::move(components)) {
    for (size_t i = 0; i < components_.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (components_[i].name == components_[j].name) {
          throw std::logic_error(section_ + ": '" + components_[i].name + "' registered twice");
        }
      }
    }
    at(default_);
  }

  const std::string& section() const { return section_; }
  const std::string& default_name() const { return default_; }
  const std::vector<Component<Factory>>& components() const { return components_; }

  const Component<Factory>& at(const std::string& name) const {
    for (const auto& c : components_) {
      if (c.name == name) return c;
    }
    throw std::logic_error(section_ + ": nothing registered as '" + name + "'");
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& c : components_) out.push_back(c.name);
    return out;
  }

  // The section of the schema: a `type` key choosing one component, and that component's keys.
  Field schema() const {
    std::map<std::string, std::vector<Field>> variants;
    for (const auto& c : components_) variants[c.name] = c.fields;
    Field f = variant_section(section_, default_, std::move(variants), help_);
    for (const auto& c : components_) f.variant_help[c.name] = c.help + " (" + c.accepts.describe() + ")";
    return f;
  }

  // A `choice` key naming one component, for components chosen inside another's section
  // (objective.chain_source, objective.noise, train.lr_schedule).
  Field choice_field(const std::string& key) const {
    std::string help = help_ + ":";
    for (const auto& c : components_) help += " **" + c.name + "** " + c.help + ";";
    help.pop_back();
    return choice(key, value(default_.c_str()), names(), help);
  }

 private:
  std::string section_, default_, help_;
  std::vector<Component<Factory>> components_;
};

}  // namespace ebm::experiments
