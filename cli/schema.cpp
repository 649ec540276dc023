#include <iostream>

#include "cli/command.h"
#include "config/schema.h"

namespace ebm::experiments {

Command add_schema(CLI::App& app) {
  auto* command = app.add_subcommand("schema", "print the config reference (Markdown)");
  return {command, [] {
            std::cout << schema_markdown(experiment_schema());
            return 0;
          }};
}

}  // namespace ebm::experiments
