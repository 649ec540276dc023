#include "config/overrides.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include "config/config.h"

namespace ebm::experiments {

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

}  // namespace ebm::experiments
