// The vocabulary of a config schema: a Field is one key (an integer, a number, a boolean, a
// string, a choice, a list) or a section of keys, with its default, its allowed range and its
// help; sections chosen by a `type` key carry the keys of each variant. schema_markdown renders a
// schema as the config reference (docs/CONFIG.md).
#pragma once

#include <yaml-cpp/yaml.h>

#include <limits>
#include <map>
#include <string>
#include <vector>

namespace ebm::experiments {

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

// The schema as a Markdown reference (docs/CONFIG.md is this text).
std::string schema_markdown(const Field& schema);

// What a field allows, in words ("an integer in [1, 100000]").
std::string allowed_values(const Field& f);
// "path.key", or "key" at the top level.
std::string dotted(const std::string& path, const std::string& key);
// The shortest decimal text that reads back as exactly x ("0.9", not "0.90000000000000002").
std::string shortest_number(double x);

}  // namespace ebm::experiments
