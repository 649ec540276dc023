#include "config/config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/overrides.h"

namespace ebm::experiments {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

class Validator {
 public:
  Validator(std::string origin, std::map<std::string, std::string> overrides,
            std::map<std::string, std::string>& locations)
      : origin_(std::move(origin)), overrides_(std::move(overrides)), locations_(locations) {}

  YAML::Node validate_section(const Field& f, const YAML::Node& node, const std::string& path,
                              const std::string& where) {
    if (node.IsDefined() && !node.IsNull() && !node.IsMap()) {
      fail(where, path.empty() ? "the config must be a map of keys" : path + " must be " + allowed_values(f));
    }
    std::vector<const Field*> fields;
    for (const auto& child : f.fields) fields.push_back(&child);
    YAML::Node resolved(YAML::NodeType::Map);
    if (!f.variants.empty()) {
      const Field& type_field = f.fields.front();
      YAML::Node type = validate(type_field, child_of(node, "type"), dotted(path, "type"), where);
      resolved["type"] = type;
      for (const auto& child : f.variants.at(type.as<std::string>())) fields.push_back(&child);
    }
    if (node.IsMap()) {
      std::map<std::string, YAML::Mark> seen;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) fail(locate(path, it->first, where), "a key must be a plain name");
        const std::string key = it->first.as<std::string>();
        if (auto first = seen.find(key); first != seen.end()) {
          fail(locate(dotted(path, key), it->first, where),
               "duplicate key '" + dotted(path, key) + "' (first given at line " + std::to_string(first->second.line + 1) + ")");
        }
        seen.emplace(key, it->first.Mark());
        auto known = std::find_if(fields.begin(), fields.end(),
                                  [&](const Field* c) { return c->name == key; });
        if (known == fields.end()) unknown_key(fields, key, path, it->first, where, resolved);
      }
    }
    for (const Field* child : fields) {
      if (!f.variants.empty() && child == &f.fields.front()) continue;
      resolved[child->name] = validate(*child, child_of(node, child->name), dotted(path, child->name), where);
    }
    return resolved;
  }

 private:
  static YAML::Node child_of(const YAML::Node& node, const std::string& key) {
    if (!node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& const_node = node;
    YAML::Node child = const_node[key];  // invalid (not merely undefined) when absent
    return child.IsDefined() ? child : YAML::Node(YAML::NodeType::Undefined);
  }

  std::string locate(const std::string& path, const YAML::Node& node, const std::string& parent) {
    if (auto it = overrides_.find(path); it != overrides_.end()) return it->second;
    // A section that only an override made (--set nosuch.key=1 makes 'nosuch'): that override.
    for (const auto& [overridden, origin] : overrides_) {
      if (overridden.compare(0, path.size() + 1, path + ".") == 0 && !(node.IsDefined() && node.Mark().line >= 0)) {
        return origin;
      }
    }
    if (node.IsDefined() && node.Mark().line >= 0) {
      return origin_ + ":" + std::to_string(node.Mark().line + 1) + ":" +
             std::to_string(node.Mark().column + 1);
    }
    return parent;
  }

  [[noreturn]] static void fail(const std::string& where, const std::string& message) {
    throw ConfigError(where + ": " + message);
  }

  [[noreturn]] void unknown_key(const std::vector<const Field*>& fields, const std::string& key,
                                const std::string& path, const YAML::Node& key_node,
                                const std::string& where, const YAML::Node& resolved) {
    std::string names, suggestion;
    size_t best = 3;
    for (const Field* c : fields) {
      names += (names.empty() ? "" : ", ") + c->name;
      size_t d = edit_distance(key, c->name);
      if (d < best) best = d, suggestion = c->name;
    }
    std::string scope = path.empty() ? "the top level" : "'" + path + "'";
    if (resolved["type"]) scope += " (type " + resolved["type"].as<std::string>() + ")";
    std::string message = "unknown key '" + dotted(path, key) + "'";
    if (!suggestion.empty()) message += " (did you mean '" + dotted(path, suggestion) + "'?)";
    fail(locate(dotted(path, key), key_node, where), message + "; allowed keys in " + scope + ": " + names);
  }

  YAML::Node validate(const Field& f, const YAML::Node& node, const std::string& path,
                      const std::string& parent_where) {
    const std::string where = locate(path, node, parent_where);
    locations_[path] = where;
    if (f.kind == ValueKind::Section) return validate_section(f, node, path, where);
    if (f.kind == ValueKind::List && node.IsDefined()) {
      if (!node.IsSequence()) {
        fail(where, path + " must be a list in brackets, [a, b, ...]; allowed: " + allowed_values(f));
      }
      if (static_cast<double>(node.size()) < f.min) fail(where, path + " is empty; it needs at least one element");
      YAML::Node resolved(YAML::NodeType::Sequence);
      for (size_t i = 0; i < node.size(); ++i) {
        resolved.push_back(validate(f.fields.front(), node[i], path + "[" + std::to_string(i) + "]", where));
      }
      return resolved;
    }
    if (!node.IsDefined()) {
      if (!f.fallback.IsDefined()) fail(where, "missing required key '" + path + "' (" + allowed_values(f) + ")");
      return YAML::Clone(f.fallback);
    }
    auto bad = [&](const std::string& problem) -> YAML::Node {
      std::string shown = node.IsScalar() ? "'" + node.Scalar().substr(0, 80) + (node.Scalar().size() > 80 ? "...'" : "'")
                          : node.IsNull()  ? std::string("nothing")
                                           : "a " + std::string(node.IsMap() ? "map" : "list");
      fail(where, path + " = " + shown + " " + problem + "; allowed: " + allowed_values(f));
    };
    if (node.IsNull() || (node.IsScalar() && node.Scalar().empty() && f.kind != ValueKind::String)) {
      return bad("is empty: give it a value");
    }
    if (!node.IsScalar()) return bad("is not a value");
    // A quoted "0.01" or "true" is a string in YAML: where a number or a boolean is meant, the
    // quotes are a mistake to point out, not to read past.
    const bool quoted = node.Tag() == "!";
    if (quoted && f.kind != ValueKind::String && f.kind != ValueKind::Choice) {
      return bad("is a quoted string; write it without quotes");
    }
    switch (f.kind) {
      case ValueKind::Integer:
      case ValueKind::Number: {
        double x;
        if (f.kind == ValueKind::Integer) {
          try {
            x = static_cast<double>(node.as<long long>());
          } catch (const YAML::Exception&) {
            return bad("is not an integer");
          }
        } else {
          // A decimal number, read by strtod: subnormals (1e-320) are numbers too.
          const std::string& text = node.Scalar();
          char* end = nullptr;
          x = std::strtod(text.c_str(), &end);
          if (text.find_first_of("xX") != std::string::npos || end != text.c_str() + text.size()) {
            return bad("is not a number");
          }
        }
        bool below = f.min_exclusive ? x <= f.min : x < f.min;
        if (!std::isfinite(x) || below || x > f.max) return bad("is out of range");
        return f.kind == ValueKind::Integer ? YAML::Node(node.as<long long>()) : YAML::Node(shortest_number(x));
      }
      case ValueKind::Boolean:
        try {
          return YAML::Node(node.as<bool>());
        } catch (const YAML::Exception&) {
          return bad("is not a boolean");
        }
      case ValueKind::String: return YAML::Node(node.Scalar());
      case ValueKind::Choice:
        if (std::find(f.choices.begin(), f.choices.end(), node.Scalar()) == f.choices.end()) {
          return bad("is not allowed");
        }
        return YAML::Node(node.Scalar());
      case ValueKind::Section:
      case ValueKind::List: break;
    }
    return bad("is not understood");
  }

  std::string origin_;
  std::map<std::string, std::string> overrides_;
  std::map<std::string, std::string>& locations_;
};

}  // namespace

Config Config::section_defaults(const Field& section, const std::string& type) {
  Config config;
  config.origin_ = "the defaults of " + section.name + ".type " + type;
  YAML::Node chosen(YAML::NodeType::Map);
  chosen["type"] = type;
  Validator validator(config.origin_, {}, config.locations_);
  config.resolved_[section.name] = validator.validate_section(section, chosen, section.name, config.origin_);
  return config;
}

Config Config::parse(const std::string& yaml, const std::string& origin,
                     const std::vector<std::string>& overrides, const Field& schema) {
  YAML::Node root;
  try {
    const size_t documents = count_documents(yaml, origin, true);
    if (documents > 1) {
      throw ConfigError(origin + ": holds " + std::to_string(documents) + " YAML documents (separated by ---); a config is one");
    }
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(origin + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ConfigError(origin + ": the config must be a map of keys");
  std::map<std::string, std::string> overridden;
  for (const auto& assignment : in_applying_order(overrides)) {
    overridden[apply_override(root, assignment)] = override_origin(assignment);
  }
  Config config;
  config.origin_ = origin;
  Validator validator(origin, overridden, config.locations_);
  config.resolved_ = validator.validate_section(schema, root, "", origin);
  return config;
}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides,
                    const Field& schema) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) throw ConfigError(path + " is a directory; give a config file (YAML)");
  if (fs::exists(path) && !fs::is_regular_file(path)) throw ConfigError(path + " is not a regular file; give a config file (YAML)");
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the config file");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path, overrides, schema);
}

YAML::Node Config::at(const std::string& path) const {
  YAML::Node current = YAML::Clone(resolved_);
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '.');) {
    const YAML::Node& const_current = current;
    YAML::Node next = const_current[part];
    if (!next.IsDefined()) throw std::logic_error("config has no key '" + path + "'");
    current.reset(next);
  }
  return current;
}

void Config::set(const std::string& path, const std::string& value) {
  at(path);  // throws when there is no such key
  YAML::Node current(resolved_);
  std::stringstream stream(path);
  std::vector<std::string> parts;
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  for (size_t i = 0; i + 1 < parts.size(); ++i) current.reset(current[parts[i]]);
  current[parts.back()] = value;
}

std::string Config::where(const std::string& path) const {
  auto it = locations_.find(path);
  return it != locations_.end() ? it->second : origin_;
}

void Config::fail(const std::string& path, const std::string& message) const {
  throw ConfigError(where(path) + ": " + path + ": " + message);
}

std::string Config::to_yaml() const {
  YAML::Emitter out;
  out << resolved_;
  return std::string(out.c_str()) + "\n";
}

}  // namespace ebm::experiments
