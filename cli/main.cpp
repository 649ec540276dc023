// The `ebm` command line: train, sample, export, eval, phases, diagnose, reproduce, sweep, schema, bench. Logs go to stderr, results (JSON) to stdout.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <c10/util/Exception.h>
#include <malloc.h>

#include <csignal>
#include <functional>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "cli/command.h"
#include "config/config.h"
#include "io/interrupt.h"
#include "io/out_of_memory.h"
#include "workflow/system_info.h"

int main(int argc, char** argv) {
  ebm::experiments::restart_if_blas_misjudged_the_cpu(argv);
  // Training allocates and frees the same megabyte-sized tensors every step. glibc serves such
  // blocks with fresh mmap()s by default, and their page faults cost a third of a CD step on a
  // 784x500 RBM; keeping them on the heap makes them reusable.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // A file-size limit then makes write() fail with EFBIG, which the writers report, instead of
  // killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C, SIGTERM and SIGHUP stop the work at its next step boundary, keeping it.
  ebm::io::install_interrupt_handlers();
  auto logger = spdlog::stderr_logger_mt("ebm");
  logger->set_pattern("[%H:%M:%S] %v");
  spdlog::set_default_logger(logger);

  CLI::App app{"ebm: train, sample and evaluate energy-based models"};
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();  // --help shows each option's default

  using namespace ebm::experiments;
  const std::vector<Command> commands = {add_train(app),     add_export(app), add_eval(app),   add_phases(app),
                                         add_diagnose(app),  add_sample(app), add_reproduce(app), add_sweep(app),
                                         add_schema(app),    add_bench(app)};

  // CLI11 would say only "A subcommand is required" for `ebm bench bogus`.
  if (argc > 2 && std::string(argv[1]) == "bench" && argv[2][0] != '-') {
    std::string names;
    bool known = false;
    for (const CLI::App* bench : app.get_subcommand("bench")->get_subcommands({})) {
      names += (names.empty() ? "" : ", ") + bench->get_name();
      known = known || bench->get_name() == argv[2];
    }
    if (!known) {
      spdlog::error("bench: no benchmark '{}' (there are: {})", argv[2], names);
      return 2;
    }
  }
  // CLI11 drops the empty entries of a comma-separated value (--k 1,,3 would be read as 1,3).
  std::set<std::string> listed;
  std::function<void(const CLI::App*)> collect_listed = [&](const CLI::App* command) {
    for (const CLI::Option* option : command->get_options()) {
      if (option->get_delimiter() != '\0') listed.insert(option->get_name());
    }
    for (const CLI::App* sub : command->get_subcommands({})) collect_listed(sub);
  };
  collect_listed(&app);
  for (int i = 1; i < argc; ++i) {
    const std::string token = argv[i];
    const auto equals = token.find('=');
    const std::string flag = token.substr(0, equals);
    if (!listed.count(flag) || (equals == std::string::npos && i + 1 == argc)) continue;
    const std::string list = equals != std::string::npos ? token.substr(equals + 1) : argv[i + 1];
    if (!list.empty() && (list.find(",,") != std::string::npos || list.front() == ',' || list.back() == ',')) {
      spdlog::error("{} {}: an entry of the list is empty; give numbers separated by single commas", flag, list);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    // An option given an empty value (--out '') is a mistake, not a request for its default.
    std::function<void(const CLI::App*)> refuse_empty_values = [&](const CLI::App* command) {
      for (const CLI::Option* option : command->get_options()) {
        if (option->count() == 0 || option->get_type_size() == 0) continue;
        for (const auto& value : option->results()) {
          if (value.empty()) throw ConfigError(option->get_name() + " is empty: give it a value");
        }
      }
      for (const CLI::App* sub : command->get_subcommands()) refuse_empty_values(sub);
    };
    refuse_empty_values(&app);
    for (const Command& command : commands) {
      if (*command.app) return command.run();
    }
  } catch (const ebm::io::InputError& e) {
    spdlog::error("{}", e.what());
    return 2;
  } catch (const ebm::io::Interrupted& e) {
    spdlog::warn("{}", e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    spdlog::error("out of memory");
    return 1;
  } catch (const c10::Error& e) {
    if (const auto bytes = ebm::io::failed_allocation_bytes(e)) {  // the size, not LibTorch's source line
      spdlog::error("{}", ebm::io::out_of_memory_message(*bytes, "; a size in the config (model width, data rows, "
                                                                 "batch_size, chains) is too large for this machine"));
    } else {
      spdlog::error("{}", e.what_without_backtrace());
    }
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
