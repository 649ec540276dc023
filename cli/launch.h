// `ebm train --nproc N`: starts N copies of this program on this host as the ranks of one
// data-parallel job (distributed/world.h), with the environment torchrun would give them
// (MASTER_ADDR=127.0.0.1, a free MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK), and watches them.
// The ranks run in a process group of their own and end with this process (PR_SET_PDEATHSIG),
// so a stop request reaches each exactly once: the launcher forwards its first SIGINT, SIGTERM
// or SIGHUP, and each rank stops at the same step with the checkpoint. When one rank fails (an
// exit status other than 0, or a signal such as SIGKILL), the launcher names it, stops the
// others (SIGTERM after `grace_s`, SIGKILL after twice that) and returns 1 (2 when the failure
// was a bad input, which every rank reports alike).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ebm::experiments {

// Runs `arguments` (without the program name) as `processes` ranks; returns the exit status.
int launch_ranks(int processes, const std::vector<std::string>& arguments, double grace_s = 10);

// How a command takes its thread count: `--threads K` (the benchmarks) or `--set threads=K`.
enum class ThreadsAs { flag, config_override };
// The command line running now (cli/command_line.h) as each rank runs it: without the program's
// name and --nproc, and with the rank's share of the cores as its threads unless they were set.
std::vector<std::string> rank_arguments(int processes, ThreadsAs threads);

// Runs each command (this program's arguments, without its name) as a process of its own, at
// most `jobs` at a time, each one's output to its log; tells `on_exit` (index, status) as each
// ends and returns the statuses (128 + N for a process signal N ended). A stop request starts
// nothing more, is passed once to those running, and throws io::Interrupted once they end.
std::vector<int> run_side_by_side(const std::vector<std::vector<std::string>>& commands, const std::vector<std::string>& logs,
                                  int jobs, const std::function<void(size_t, int)>& on_exit = nullptr);

}  // namespace ebm::experiments
