// Experiment configs: a schema of typed, range-checked keys (with defaults and help) and a
// strict validator. Unknown keys, wrong types and out-of-range values stop a run before any
// work with one ConfigError naming the key, where it came from (file:line:column or the
// --set override) and what is allowed. Sections chosen by a `type` key (model, sampler,
// objective, optimiser, data) carry the keys of the chosen variant only.
#pragma once

#include <yaml-cpp/yaml.h>

#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/input_error.h"

namespace ebm::experiments {

// A user error in a config, an override, a flag or an input file; the command line exits 2.
class ConfigError : public io::InputError {
 public:
  using io::InputError::InputError;
};

enum class ValueKind { Integer, Number, Boolean, String, Choice, Section, List };

struct Field {
  std::string name, help;
  ValueKind kind = ValueKind::String;
  YAML::Node fallback;  // the default; undefined means the key is required
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  std::vector<std::string> choices;                       // Choice
  std::vector<Field> fields;                              // Section; List: its element
  std::map<std::string, std::vector<Field>> variants;     // Section selected by its `type`
  std::map<std::string, std::string> variant_help;        // what each variant is, for the reference
};

Field integer(std::string name, YAML::Node fallback, double min, double max, std::string help);
Field number(std::string name, YAML::Node fallback, double min, double max, std::string help,
             bool min_exclusive = false);
Field boolean(std::string name, YAML::Node fallback, std::string help);
Field text(std::string name, YAML::Node fallback, std::string help);
Field choice(std::string name, YAML::Node fallback, std::vector<std::string> choices,
             std::string help);
Field section(std::string name, std::vector<Field> fields, std::string help);
// A YAML list whose elements each satisfy `element` (its name is ignored): ks: [1, 3, 10]. A list
// needs at least one element (its `min`) unless made with may_be_empty.
Field list(std::string name, YAML::Node fallback, Field element, std::string help);
inline Field may_be_empty(Field list) {
  list.min = 0;
  return list;
}
Field variant_section(std::string name, std::string default_type,
                      std::map<std::string, std::vector<Field>> variants, std::string help);
// The schema as a Markdown reference (docs/CONFIG.md is this text).
std::string schema_markdown(const Field& schema);
// YAML value helpers for defaults.
inline YAML::Node value(const char* v) { return YAML::Node(std::string(v)); }
template <class T>
YAML::Node value(T v) { return YAML::Node(v); }
inline YAML::Node required() { return YAML::Node(YAML::NodeType::Undefined); }
template <class T>
YAML::Node values(std::initializer_list<T> items) {
  YAML::Node node(YAML::NodeType::Sequence);
  for (const auto& item : items) node.push_back(item);
  return node;
}

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
  // The resolved config as YAML text (defaults included), as written to a run directory.
  std::string to_yaml() const;
  const YAML::Node& root() const { return resolved_; }

 private:
  YAML::Node resolved_;
  std::string origin_;
  std::map<std::string, std::string> locations_;  // dotted path -> "file:line:col" or "--set ..."
};

}  // namespace ebm::experiments
