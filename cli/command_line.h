// The `ebm` command line as a function, for the program (cli/main.cpp) and the Python module
// (python/module.cpp): parses `args` (args[0] the program's name), runs the subcommand and
// returns its exit status (0, or 1 where the work ran and its answer is "no", as `reproduce`
// for a failure not reproduced). Results go to std::cout, logs to spdlog's default logger.
// A bad flag or value throws ConfigError with CLI11's message; what the command throws
// (ConfigError, io::InputError, io::Interrupted, ...) passes through.
#pragma once

#include <string>
#include <vector>

namespace ebm::experiments {

int run_command_line(const std::vector<std::string>& args);
// The arguments of the command line running now (args[0] the program's name), for commands
// that start copies of themselves (--nproc, cli/launch.h).
const std::vector<std::string>& current_command_line();

}  // namespace ebm::experiments
