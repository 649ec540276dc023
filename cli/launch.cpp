#include "cli/launch.h"

#include <netinet/in.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "io/input_error.h"
#include "io/interrupt.h"

namespace ebm::experiments {

namespace {

// A TCP port free on the loopback now (the kernel's choice; rank 0 binds it a moment later).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("--nproc: cannot open a socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw std::runtime_error(std::string("--nproc: cannot find a free port: ") + std::strerror(errno));
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int launch_ranks(int processes, const std::vector<std::string>& arguments, double grace_s) {
  const std::string program = std::filesystem::read_symlink("/proc/self/exe").string();
  if (std::filesystem::path(program).filename() != "ebm") {
    throw io::InputError("--nproc starts copies of the ebm program; this process is " + program +
                         " (run `ebm train ... --nproc N`, or start the ranks yourself with torchrun's variables)");
  }
  const std::string port = std::to_string(free_port());
  std::vector<pid_t> ranks;
  for (int rank = 0; rank < processes; ++rank) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("--nproc: cannot start a process: ") + std::strerror(errno));
    if (pid == 0) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", port.c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(processes).c_str(), 1);
      setenv("RANK", std::to_string(rank).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      std::vector<char*> argv = {const_cast<char*>(program.c_str())};
      for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
    ranks.push_back(pid);
  }
  spdlog::info("started {} processes (ranks 0-{}), rendezvous at 127.0.0.1:{}", processes, processes - 1, port);

  using Clock = std::chrono::steady_clock;
  std::vector<int> status(processes, -1);  // -1: running
  int running = processes, forwarded = 0, first_failure = -1;
  Clock::time_point failed_at;
  bool terminated = false, killed = false;
  while (running > 0) {
    if (const int signal = io::pending_interrupt(); signal != 0 && forwarded == 0) {
      forwarded = signal;
      for (int r = 0; r < processes; ++r) {
        if (status[r] < 0) kill(ranks[r], signal);
      }
    }
    int code = 0;
    const pid_t pid = waitpid(-1, &code, WNOHANG);
    if (pid > 0) {
      for (int r = 0; r < processes; ++r) {
        if (ranks[r] != pid) continue;
        status[r] = code;
        --running;
        const bool failed = !(WIFEXITED(code) && WEXITSTATUS(code) == 0);
        if (failed && first_failure < 0) {
          first_failure = r;
          failed_at = Clock::now();
          if (forwarded == 0 || !WIFEXITED(code) || WEXITSTATUS(code) != 128 + forwarded) {
            spdlog::error("rank {} {}{}", r, describe(code), running > 0 ? "; stopping the other ranks" : "");
          }
        }
      }
      continue;
    }
    if (first_failure >= 0 && running > 0) {
      const double waited = std::chrono::duration<double>(Clock::now() - failed_at).count();
      const int signal = waited > 2 * grace_s && !killed ? SIGKILL : waited > grace_s && !terminated ? SIGTERM : 0;
      if (signal != 0) {
        (signal == SIGKILL ? killed : terminated) = true;
        for (int r = 0; r < processes; ++r) {
          if (status[r] < 0) kill(ranks[r], signal);
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (first_failure < 0) return 0;
  const int code = status[first_failure];
  if (WIFEXITED(code) && (WEXITSTATUS(code) == 2 || (forwarded != 0 && WEXITSTATUS(code) == 128 + forwarded))) {
    return WEXITSTATUS(code);
  }
  return 1;
}

}  // namespace ebm::experiments
