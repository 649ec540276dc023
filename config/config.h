// Experiment configs: a schema of typed, range-checked keys (with defaults and help) and a
// strict validator. Unknown keys, wrong types and out-of-range values stop a run before any
// work with one ConfigError naming the key, where it came from (file:line:column or the
// --set override) and what is allowed. Sections chosen by a `type` key (model, sampler,
// objective, optimiser, data) carry the keys of the chosen variant only.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/field.h"
#include "io/input_error.h"

namespace ebm::experiments {

// A user error in a config, an override, a flag or an input file; the command line exits 2.
class ConfigError : public io::InputError {
 public:
  using io::InputError::InputError;
};

// A validated config: every key present, typed and in range, defaults filled in.
class Config {
 public:
  // Loads `path`, applies `overrides` ("a.b=value", or "--FLAG a.b=value" where a flag other
  // than --set gave it, so that messages name that flag), validates against `schema`.
  static Config load(const std::string& path, const std::vector<std::string>& overrides,
                     const Field& schema);
  // Validates an in-memory document; `origin` names it in messages.
  static Config parse(const std::string& yaml, const std::string& origin,
                      const std::vector<std::string>& overrides, const Field& schema);

  // The section `section` (a schema section chosen by `type`) with the component `type` and every
  // one of its keys at its default, alone in a config: what a component made with its defaults
  // reads through SectionConfig(config, section.name).
  static Config section_defaults(const Field& section, const std::string& type);

  // The value at a dotted path ("train.steps").
  YAML::Node at(const std::string& path) const;
  template <class T>
  T get(const std::string& path) const { return at(path).as<T>(); }
  // Where the value at `path` came from: "file:line:col", "--set ..." or the config's name.
  std::string where(const std::string& path) const;
  // Raises a ConfigError located at `path` (for checks that span several keys).
  [[noreturn]] void fail(const std::string& path, const std::string& message) const;
  // Fills in the run name (which defaults to the config file's name).
  void set_name(const std::string& name) { resolved_["name"] = name; }
  // Replaces the value at a dotted path the config has with `value` (a file the program moved).
  void set(const std::string& path, const std::string& value);
  // The resolved config as YAML text (defaults included), as written to a run directory.
  std::string to_yaml() const;
  const YAML::Node& root() const { return resolved_; }

 private:
  YAML::Node resolved_;
  std::string origin_;
  std::map<std::string, std::string> locations_;  // dotted path -> "file:line:col" or "--set ..."
};

}  // namespace ebm::experiments
