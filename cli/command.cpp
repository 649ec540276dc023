#include "cli/command.h"

namespace ebm::experiments {

CLI::Validator integer_in(int64_t lo, int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        int64_t x = 0;
        size_t used = 0;
        try {
          x = std::stoll(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size()) return "'" + text + "' is not an integer";
        if (x < lo || x > hi) {
          return "must be at least " + std::to_string(lo) +
                 (hi == std::numeric_limits<int64_t>::max() ? "" : " and at most " + std::to_string(hi)) + ", not " + text;
        }
        return "";
      },
      hi == std::numeric_limits<int64_t>::max() ? "INT>=" + std::to_string(lo)
                                                : "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

void add_tool_source(CLI::App* command, ToolSource& source, const std::string& tool) {
  command->add_option("config", source.config_path, "experiment config (YAML): its model as initialised");
  command->add_option("--run", source.run_dir, "a trained run instead of a config")->excludes(command->get_option("config"));
  command->add_option("--out", source.out_dir, "output directory (default runs/<name>-" + tool + ", or DIR/" + tool + " with --run)");
  command->add_flag("--force", source.force, "replace the results already in --out");
  command->add_option("--set", source.overrides, "override a config key (repeatable; with --run, not the model's)")
      ->allow_extra_args(false);
  command->add_option("--threads", source.threads, "CPU threads (default the config's; 0 = all cores)")->check(integer_in(0));
}

}  // namespace ebm::experiments
