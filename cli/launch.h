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

#include <string>
#include <vector>

namespace ebm::experiments {

// Runs `arguments` (without the program name) as `processes` ranks; returns the exit status.
int launch_ranks(int processes, const std::vector<std::string>& arguments, double grace_s = 10);

}  // namespace ebm::experiments
