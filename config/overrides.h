// Overrides ("--set a.b=value", or another tool flag's "--vary a.b=value") applied to a config's
// raw YAML before validation, and the document checks that come before them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace ebm::experiments {

// The flag an override came from, as messages name it: "--set a.b=1", or the flag a tool put
// in front of it ("--vary a.b=1").
std::string override_origin(const std::string& text);

// The number of YAML documents in `text`; a ',' outside brackets is a ConfigError located with
// `origin` (and, for a file, its line and column).
size_t count_documents(const std::string& text, const std::string& origin, bool is_file);

// Applies "a.b.c=value" (or "--FLAG a.b.c=value") to the raw document; returns the path it set.
std::string apply_override(YAML::Node& root, const std::string& text);

// `overrides` in the order they are applied: those that choose a section's type first.
std::vector<std::string> in_applying_order(const std::vector<std::string>& overrides);

}  // namespace ebm::experiments
