#include "experiments/config.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

namespace ebm::experiments {

namespace {
// The shortest decimal text that reads back as exactly x ("0.9", not "0.90000000000000002").
std::string shortest(double x) {
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream out;
    out.precision(precision);
    out << x;
    if (std::strtod(out.str().c_str(), nullptr) == x) return out.str();  // strtod: subnormals too
  }
  return std::to_string(x);
}

// A field of one kind with every constraint at its default; the builders below set the rest.
Field field_of(ValueKind kind, std::string name, YAML::Node fallback, std::string help) {
  Field f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.kind = kind;
  f.fallback = std::move(fallback);
  return f;
}
}  // namespace

Field integer(std::string name, YAML::Node fallback, double min, double max, std::string help) {
  Field f = field_of(ValueKind::Integer, std::move(name), std::move(fallback), std::move(help));
  f.min = min;
  f.max = max;
  return f;
}

Field number(std::string name, YAML::Node fallback, double min, double max, std::string help,
             bool min_exclusive) {
  Field f = field_of(ValueKind::Number, std::move(name),
                     fallback.IsDefined() ? YAML::Node(shortest(fallback.as<double>())) : fallback, std::move(help));
  f.min = min;
  f.max = max;
  f.min_exclusive = min_exclusive;
  return f;
}

Field boolean(std::string name, YAML::Node fallback, std::string help) {
  return field_of(ValueKind::Boolean, std::move(name), std::move(fallback), std::move(help));
}

Field text(std::string name, YAML::Node fallback, std::string help) {
  return field_of(ValueKind::String, std::move(name), std::move(fallback), std::move(help));
}

Field choice(std::string name, YAML::Node fallback, std::vector<std::string> choices,
             std::string help) {
  Field f = field_of(ValueKind::Choice, std::move(name), std::move(fallback), std::move(help));
  f.choices = std::move(choices);
  return f;
}

Field section(std::string name, std::vector<Field> fields, std::string help) {
  Field f = field_of(ValueKind::Section, std::move(name), YAML::Node(YAML::NodeType::Map), std::move(help));
  f.fields = std::move(fields);
  return f;
}

Field list(std::string name, YAML::Node fallback, Field element, std::string help) {
  Field f = field_of(ValueKind::List, std::move(name), std::move(fallback), std::move(help));
  f.min = 1;  // the fewest elements: every list a study or data set reads needs one
  f.fields.push_back(std::move(element));
  return f;
}

Field variant_section(std::string name, std::string default_type,
                      std::map<std::string, std::vector<Field>> variants, std::string help) {
  Field f = section(std::move(name), {}, std::move(help));
  std::vector<std::string> types;
  for (const auto& [type, fields] : variants) types.push_back(type);
  f.fields.push_back(choice("type", value(default_type.c_str()), types, "which kind"));
  f.variants = std::move(variants);
  return f;
}

namespace {

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string format_number(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out << x;
  return out.str();
}

std::string allowed(const Field& f) {
  auto range = [&](const char* what) {
    std::string s = what;
    bool has_min = std::isfinite(f.min), has_max = std::isfinite(f.max);
    if (has_min && has_max) {
      return s + " in " + (f.min_exclusive ? "(" : "[") + format_number(f.min) + ", " +
             format_number(f.max) + "]";
    }
    if (has_min) return s + (f.min_exclusive ? " > " : " >= ") + format_number(f.min);
    if (has_max) return s + " <= " + format_number(f.max);
    return s;
  };
  switch (f.kind) {
    case ValueKind::Integer: return range("an integer");
    case ValueKind::Number: return range("a number");
    case ValueKind::Boolean: return "true or false";
    case ValueKind::String: return "a string";
    case ValueKind::Choice: {
      std::string s = "one of: ";
      for (size_t i = 0; i < f.choices.size(); ++i) s += (i ? ", " : "") + f.choices[i];
      return s;
    }
    case ValueKind::Section: return "a section (a map of keys)";
    case ValueKind::List: return "a list, each " + allowed(f.fields.front());
  }
  return "";
}

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
      fail(where, path.empty() ? "the config must be a map of keys" : path + " must be " + allowed(f));
    }
    std::vector<const Field*> fields;
    for (const auto& child : f.fields) fields.push_back(&child);
    YAML::Node resolved(YAML::NodeType::Map);
    if (!f.variants.empty()) {
      const Field& type_field = f.fields.front();
      YAML::Node type = validate(type_field, child_of(node, "type"), join(path, "type"), where);
      resolved["type"] = type;
      for (const auto& child : f.variants.at(type.as<std::string>())) fields.push_back(&child);
    }
    if (node.IsMap()) {
      std::map<std::string, YAML::Mark> seen;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) fail(locate(path, it->first, where), "a key must be a plain name");
        const std::string key = it->first.as<std::string>();
        if (auto first = seen.find(key); first != seen.end()) {
          fail(locate(join(path, key), it->first, where),
               "duplicate key '" + join(path, key) + "' (first given at line " + std::to_string(first->second.line + 1) + ")");
        }
        seen.emplace(key, it->first.Mark());
        auto known = std::find_if(fields.begin(), fields.end(),
                                  [&](const Field* c) { return c->name == key; });
        if (known == fields.end()) unknown_key(fields, key, path, it->first, where, resolved);
      }
    }
    for (const Field* child : fields) {
      if (!f.variants.empty() && child == &f.fields.front()) continue;
      resolved[child->name] = validate(*child, child_of(node, child->name), join(path, child->name), where);
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
    std::string message = "unknown key '" + join(path, key) + "'";
    if (!suggestion.empty()) message += " (did you mean '" + join(path, suggestion) + "'?)";
    fail(locate(join(path, key), key_node, where), message + "; allowed keys in " + scope + ": " + names);
  }

  YAML::Node validate(const Field& f, const YAML::Node& node, const std::string& path,
                      const std::string& parent_where) {
    const std::string where = locate(path, node, parent_where);
    locations_[path] = where;
    if (f.kind == ValueKind::Section) return validate_section(f, node, path, where);
    if (f.kind == ValueKind::List && node.IsDefined()) {
      if (!node.IsSequence()) {
        fail(where, path + " must be a list in brackets, [a, b, ...]; allowed: " + allowed(f));
      }
      if (static_cast<double>(node.size()) < f.min) fail(where, path + " is empty; it needs at least one element");
      YAML::Node resolved(YAML::NodeType::Sequence);
      for (size_t i = 0; i < node.size(); ++i) {
        resolved.push_back(validate(f.fields.front(), node[i], path + "[" + std::to_string(i) + "]", where));
      }
      return resolved;
    }
    if (!node.IsDefined()) {
      if (!f.fallback.IsDefined()) fail(where, "missing required key '" + path + "' (" + allowed(f) + ")");
      return YAML::Clone(f.fallback);
    }
    auto bad = [&](const std::string& problem) -> YAML::Node {
      std::string shown = node.IsScalar() ? "'" + node.Scalar().substr(0, 80) + (node.Scalar().size() > 80 ? "...'" : "'")
                          : node.IsNull()  ? std::string("nothing")
                                           : "a " + std::string(node.IsMap() ? "map" : "list");
      fail(where, path + " = " + shown + " " + problem + "; allowed: " + allowed(f));
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
        return f.kind == ValueKind::Integer ? YAML::Node(node.as<long long>()) : YAML::Node(shortest(x));
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

// The flag an override came from, as messages name it: "--set a.b=1", or the flag a tool put
// in front of it ("--vary a.b=1").
std::string override_origin(const std::string& text) {
  return text.rfind("--", 0) == 0 && text.find(' ') != std::string::npos ? text : "--set " + text;
}

// The number of YAML documents in `text`. yaml-cpp (0.7) neither refuses nor passes a ','
// outside brackets: YAML::Load ignores what follows it and YAML::LoadAll loops for ever, each
// "document" starting where the last one did. A document that makes no progress is that.
// A stray ',' is refused with `origin` and, for a file, its line and column.
size_t count_documents(const std::string& text, const std::string& origin, bool is_file) {
  struct Starts : YAML::EventHandler {
    std::vector<YAML::Mark> marks;
    void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } starts;
  std::stringstream in(text);
  YAML::Parser parser(in);
  while (parser.HandleNextDocument(starts)) {
    const auto& marks = starts.marks;
    if (marks.size() >= 2 && marks.back().pos == marks[marks.size() - 2].pos) {
      const auto& at = marks.back();
      const std::string where = is_file ? origin + ":" + std::to_string(at.line + 1) + ":" + std::to_string(at.column + 1)
                                        : origin + " (character " + std::to_string(at.pos + 1) + " of the value)";
      throw ConfigError(where + ": YAML syntax error: '" + text.substr(at.pos, 1) + "' where a key or a value should be" +
                        (text[at.pos] == ',' ? " (a ',' belongs inside [ ] or { })" : ""));
    }
  }
  return starts.marks.size();
}

// Applies "a.b.c=value" (or "--FLAG a.b.c=value") to the raw document; returns the path it set.
std::string apply_override(YAML::Node& root, const std::string& text) {
  const std::string where = override_origin(text);
  const std::string assignment = where.substr(where.find(' ') + 1);
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw ConfigError(where + ": expected KEY=VALUE, as in train.steps=400");
  const std::string path = assignment.substr(0, eq);
  YAML::Node parsed;
  try {
    count_documents(assignment.substr(eq + 1), where, false);
    parsed = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(where + ": the value is not valid YAML: " + e.msg);
  }
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '.');) {
    if (part.empty()) throw ConfigError(where + ": '" + path + "' is not a dotted key");
    parts.push_back(part);
  }
  YAML::Node current(root);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next;
    next.reset(current[parts[i]]);
    if (!next.IsDefined() || next.IsNull()) {
      current[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next.reset(current[parts[i]]);
    }
    if (!next.IsMap()) throw ConfigError(where + ": '" + parts[i] + "' is not a section");
    current.reset(next);
  }
  // Choosing another type for a section starts it afresh: keys of the old type would not fit.
  if (parts.back() == "type" && current["type"] && current["type"].Scalar() != parsed.Scalar()) {
    std::vector<std::string> keys;
    for (const auto& item : current) keys.push_back(item.first.Scalar());
    for (const auto& key : keys) current.remove(key);
  }
  current[parts.back()] = parsed;
  return path;
}

// Overrides that choose a section's type go first (outer sections before inner ones), since
// choosing a type starts the section afresh: `--set model.hidden=4 --set model.type=X` then
// keeps the hidden size, whichever order the flags came in.
std::vector<std::string> in_applying_order(const std::vector<std::string>& overrides) {
  auto rank = [](const std::string& text) {
    const std::string assignment = override_origin(text).substr(override_origin(text).find(' ') + 1);
    const std::string path = assignment.substr(0, assignment.find('='));
    const bool chooses_type = path == "type" || (path.size() > 5 && path.compare(path.size() - 5, 5, ".type") == 0);
    return chooses_type ? static_cast<long>(std::count(path.begin(), path.end(), '.')) : std::numeric_limits<long>::max();
  };
  std::vector<std::string> ordered = overrides;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  return ordered;
}

}  // namespace

namespace {
std::string default_text(const Field& f) {
  if (!f.fallback.IsDefined()) return "required";
  if (f.kind == ValueKind::String && f.fallback.Scalar().empty()) return "\"\"";
  if (f.fallback.IsSequence()) {
    YAML::Emitter out;
    out << YAML::Flow << f.fallback;
    return "`" + std::string(out.c_str()) + "`";
  }
  return "`" + f.fallback.Scalar() + "`";
}

void describe(const std::vector<Field>& fields, const std::string& path, std::string& out) {
  for (const Field& f : fields) {
    if (f.kind == ValueKind::Section) continue;
    out += "| `" + join(path, f.name) + "` | " + allowed(f) + " | " + default_text(f) + " | " + f.help + " |\n";
  }
}

void describe_section(const Field& section, const std::string& path, std::string& out) {
  out += "\n## " + (path.empty() ? std::string("top level") : "`" + path + "`") + "\n\n" + section.help + ".\n\n";
  out += "| key | allowed | default | meaning |\n| --- | --- | --- | --- |\n";
  describe(section.fields, path, out);
  for (const auto& [type, fields] : section.variants) {
    auto help = section.variant_help.find(type);
    out += "| *with `type: " + type + "`* | | | " + (help != section.variant_help.end() ? help->second : "") + " |\n";
    describe(fields, path, out);
  }
  for (const Field& f : section.fields) {
    if (f.kind == ValueKind::Section) describe_section(f, join(path, f.name), out);
  }
}
}  // namespace

std::string schema_markdown(const Field& schema) {
  std::string out =
      "# Config reference\n\nGenerated by `ebm schema` from the registry (experiments/components/) and experiments/schema.cpp; a test keeps "
      "this file in step with it. Every key is optional unless marked required; a section chosen "
      "by `type` accepts only the keys of that type.\n";
  describe_section(schema, "", out);
  return out;
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
