#include "config/field.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace ebm::experiments {

namespace {

// A field of one kind with every constraint at its default; the builders below set the rest.
Field field_of(ValueKind kind, std::string name, YAML::Node fallback, std::string help) {
  Field f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.kind = kind;
  f.fallback = std::move(fallback);
  return f;
}

std::string format_number(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out << x;
  return out.str();
}

}  // namespace

std::string shortest_number(double x) {
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream out;
    out.precision(precision);
    out << x;
    if (std::strtod(out.str().c_str(), nullptr) == x) return out.str();  // strtod: subnormals too
  }
  return std::to_string(x);
}


std::string dotted(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

Field integer(std::string name, YAML::Node fallback, double min, double max, std::string help) {
  Field f = field_of(ValueKind::Integer, std::move(name), std::move(fallback), std::move(help));
  f.min = min;
  f.max = max;
  return f;
}

Field number(std::string name, YAML::Node fallback, double min, double max, std::string help,
             bool min_exclusive) {
  Field f = field_of(ValueKind::Number, std::move(name),
                     fallback.IsDefined() ? YAML::Node(shortest_number(fallback.as<double>())) : fallback, std::move(help));
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

std::string allowed_values(const Field& f) {
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
    case ValueKind::List: return "a list, each " + allowed_values(f.fields.front());
  }
  return "";
}

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
    out += "| `" + dotted(path, f.name) + "` | " + allowed_values(f) + " | " + default_text(f) + " | " + f.help + " |\n";
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
    if (f.kind == ValueKind::Section) describe_section(f, dotted(path, f.name), out);
  }
  for (const auto& [type, fields] : section.variants) {
    for (const Field& f : fields) {
      if (f.kind == ValueKind::Section) describe_section(f, dotted(path, f.name), out);
    }
  }
}
}  // namespace

std::string schema_markdown(const Field& schema) {
  std::string out =
      "# Config reference\n\nGenerated by `ebm schema` from the registry (config/components/) and config/schema.cpp; a test keeps "
      "this file in step with it. Every key is optional unless marked required; a section chosen "
      "by `type` accepts only the keys of that type.\n";
  describe_section(schema, "", out);
  return out;
}

}  // namespace ebm::experiments
