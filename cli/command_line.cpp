#include "cli/command_line.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/command.h"
#include "config/config.h"

namespace ebm::experiments {

namespace {

// CLI11 would say only "A subcommand is required" for `ebm bench bogus`.
void require_known_benchmark(const CLI::App& app, const std::vector<std::string>& args) {
  if (args.size() <= 2 || args[1] != "bench" || args[2][0] == '-') return;
  std::string names;
  bool known = false;
  for (const CLI::App* bench : app.get_subcommand("bench")->get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + bench->get_name();
    known = known || bench->get_name() == args[2];
  }
  if (!known) throw ConfigError("bench: no benchmark '" + args[2] + "' (there are: " + names + ")");
}

// CLI11 drops the empty entries of a comma-separated value (--k 1,,3 would be read as 1,3).
void refuse_empty_list_entries(const CLI::App& app, const std::vector<std::string>& args) {
  std::set<std::string> listed;
  std::function<void(const CLI::App*)> collect_listed = [&](const CLI::App* command) {
    for (const CLI::Option* option : command->get_options()) {
      if (option->get_delimiter() != '\0') listed.insert(option->get_name());
    }
    for (const CLI::App* sub : command->get_subcommands({})) collect_listed(sub);
  };
  collect_listed(&app);
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& token = args[i];
    const auto equals = token.find('=');
    const std::string flag = token.substr(0, equals);
    if (!listed.count(flag) || (equals == std::string::npos && i + 1 == args.size())) continue;
    const std::string list = equals != std::string::npos ? token.substr(equals + 1) : args[i + 1];
    if (!list.empty() && (list.find(",,") != std::string::npos || list.front() == ',' || list.back() == ',')) {
      throw ConfigError(flag + " " + list + ": an entry of the list is empty; give numbers separated by single commas");
    }
  }
}

// An option given an empty value (--out '') is a mistake, not a request for its default.
void refuse_empty_values(const CLI::App* command) {
  for (const CLI::Option* option : command->get_options()) {
    if (option->count() == 0 || option->get_type_size() == 0) continue;
    for (const auto& value : option->results()) {
      if (value.empty()) throw ConfigError(option->get_name() + " is empty: give it a value");
    }
  }
  for (const CLI::App* sub : command->get_subcommands()) refuse_empty_values(sub);
}

}  // namespace

namespace {
std::vector<std::string>& stored_command_line() {
  static std::vector<std::string> args;
  return args;
}
}  // namespace

const std::vector<std::string>& current_command_line() { return stored_command_line(); }

int run_command_line(const std::vector<std::string>& args) {
  stored_command_line() = args;
  CLI::App app{"ebm: train, sample and evaluate energy-based models"};
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();  // --help shows each option's default
  const std::vector<Command> commands = {add_train(app),    add_export(app), add_eval(app),      add_phases(app),
                                         add_diagnose(app), add_sample(app), add_reproduce(app), add_sweep(app),
                                         add_schema(app),   add_bench(app)};
  require_known_benchmark(app, args);
  refuse_empty_list_entries(app, args);
  std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, std::cout, std::cerr);
  } catch (const CLI::ParseError& e) {
    std::ostringstream message;
    app.exit(e, message, message);
    std::string text = message.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    throw ConfigError(text);
  }
  refuse_empty_values(&app);
  for (const Command& command : commands) {
    if (*command.app) return command.run();
  }
  return 0;
}

}  // namespace ebm::experiments
