// The `ebm` program: the command line (cli/command_line.h) with what a process needs around it.
// Logs go to stderr, results (JSON) to stdout; exit 2 for a bad config, flag or input file (one
// message naming it), 1 when the work fails, 128 + N for a stop asked by signal N.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <c10/util/Exception.h>

#include <csignal>
#include <new>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "io/input_error.h"
#include "io/interrupt.h"
#include "io/out_of_memory.h"
#include "workflow/system_info.h"

int main(int argc, char** argv) {
  ebm::experiments::restart_if_blas_misjudged_the_cpu(argv);
  ebm::experiments::keep_large_blocks_on_the_heap();
  // A file-size limit then makes write() fail with EFBIG, which the writers report, instead of
  // killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C, SIGTERM and SIGHUP stop the work at its next step boundary, keeping it.
  ebm::io::install_interrupt_handlers();
  auto logger = spdlog::stderr_logger_mt("ebm");
  logger->set_pattern("[%H:%M:%S] %v");
  spdlog::set_default_logger(logger);

  try {
    return ebm::experiments::run_command_line(std::vector<std::string>(argv, argv + argc));
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
    spdlog::error("{}", ebm::io::describe_torch_error(e));
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
