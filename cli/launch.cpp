#include "cli/launch.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "cli/command_line.h"
#include "distributed/world.h"
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

// This program's path; refused where this process is not the ebm program (the Python module).
std::string this_program(const char* flag) {
  const std::string program = std::filesystem::read_symlink("/proc/self/exe").string();
  if (std::filesystem::path(program).filename() != "ebm") {
    throw io::InputError(std::string(flag) + " starts copies of the ebm program; this process is " + program +
                         " (run it from the ebm program)");
  }
  return program;
}

// Starts `program arguments...` in a process group of its own that ends with this process,
// with `variables` (NAME=VALUE) set and its output to `log` where one is given.
pid_t spawn(const std::string& program, const std::vector<std::string>& arguments, const std::vector<std::string>& variables,
            const std::string& log) {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a process: ") + std::strerror(errno));
  if (pid > 0) return pid;
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (const auto& v : variables) putenv(const_cast<char*>(v.c_str()));
  if (!log.empty()) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) _exit(127);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  std::vector<char*> argv = {const_cast<char*>(program.c_str())};
  for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(program.c_str(), argv.data());
  _exit(127);
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

std::vector<std::string> rank_arguments(int processes, ThreadsAs threads) {
  const auto& all = current_command_line();
  std::vector<std::string> out;
  bool threads_set = false;
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i] == "--nproc") {
      ++i;  // and its value
      continue;
    }
    if (all[i].rfind("--nproc=", 0) == 0) continue;
    threads_set = threads_set || (threads == ThreadsAs::flag ? all[i] == "--threads" || all[i].rfind("--threads=", 0) == 0
                                                             : all[i].rfind("threads=", 0) == 0);
    out.push_back(all[i]);
  }
  if (!threads_set) {
    const std::string share = std::to_string(std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / processes));
    if (threads == ThreadsAs::flag) {
      out.insert(out.end(), {"--threads", share});
    } else {
      out.insert(out.end(), {"--set", "threads=" + share});
    }
  }
  return out;
}

int launch_ranks(int processes, const std::vector<std::string>& arguments, double grace_s) {
  const std::string program = this_program("--nproc");
  if (std::getenv("WORLD_SIZE")) throw io::InputError("--nproc starts a job's processes; WORLD_SIZE says this is one of them already");
  if (!distributed::World::available()) throw io::InputError(std::string("--nproc: ") + distributed::World::kUnavailable);
  const std::string port = std::to_string(free_port());
  std::vector<pid_t> ranks;
  for (int rank = 0; rank < processes; ++rank) {
    const std::string r = std::to_string(rank);
    ranks.push_back(spawn(program, arguments,
                          {"MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + port, "WORLD_SIZE=" + std::to_string(processes),
                           "RANK=" + r, "LOCAL_RANK=" + r},
                          ""));
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

std::vector<int> run_side_by_side(const std::vector<std::vector<std::string>>& commands, const std::vector<std::string>& logs,
                                  int jobs, const std::function<void(size_t, int)>& on_exit) {
  const std::string program = this_program("--jobs");
  std::vector<int> status(commands.size(), -1);
  std::vector<std::pair<pid_t, size_t>> running;
  size_t next = 0;
  int forwarded = 0;
  while (next < commands.size() || !running.empty()) {
    if (const int signal = io::pending_interrupt(); signal != 0 && forwarded == 0) {
      forwarded = signal;  // passed on once; nothing new starts
      for (const auto& [pid, i] : running) kill(pid, signal);
    }
    while (forwarded == 0 && next < commands.size() && static_cast<int>(running.size()) < jobs) {
      running.emplace_back(spawn(program, commands[next], {}, logs[next]), next);
      ++next;
    }
    int code = 0;
    const pid_t pid = waitpid(-1, &code, WNOHANG);
    if (pid <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    for (auto it = running.begin(); it != running.end(); ++it) {
      if (it->first != pid) continue;
      status[it->second] = WIFEXITED(code) ? WEXITSTATUS(code) : 128 + WTERMSIG(code);
      if (on_exit) on_exit(it->second, status[it->second]);
      running.erase(it);
      break;
    }
    if (forwarded != 0 && running.empty()) break;
  }
  if (forwarded != 0) throw io::Interrupted("stopped by " + io::signal_name(forwarded) + " before every job had run", forwarded);
  return status;
}

}  // namespace ebm::experiments
