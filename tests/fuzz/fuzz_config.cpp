// libFuzzer harness: the config loader with overrides. Input: YAML text, then (after a NUL
// byte) one --set override per line. Only ConfigError may come out; a config that validates
// must write YAML that validates again to the same config.
#include <string>
#include <vector>

#include "config/config.h"
#include "config/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ebm::experiments;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find('\0');
  const std::string yaml = input.substr(0, split);
  std::vector<std::string> overrides;
  if (split != std::string::npos) {
    std::string rest = input.substr(split + 1), line;
    for (char ch : rest + "\n") {
      if (ch == '\n') {
        if (!line.empty()) overrides.push_back(line);
        line.clear();
      } else {
        line += ch;
      }
    }
  }
  try {
    Config config = Config::parse(yaml, "fuzz.yaml", overrides, experiment_schema());
    Config again = Config::parse(config.to_yaml(), "resolved.yaml", {}, experiment_schema());
    if (again.to_yaml() != config.to_yaml()) __builtin_trap();
  } catch (const ConfigError&) {
  }
  return 0;
}
