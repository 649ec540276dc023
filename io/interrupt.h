// Ctrl-C keeps the work. The first SIGINT, SIGTERM or SIGHUP only records a request to stop;
// long work honours it at its next step boundary (a training step, a sampler transition, an AIS
// temperature) by throwing Interrupted, after saving what it can. A second signal ends the
// process at once, as the signal's default action would. The exit status is 128 + the signal
// number (130, 143, 129), as a shell reports a process the signal killed.
#pragma once

#include <stdexcept>
#include <string>

namespace ebm::io {

class Interrupted : public std::runtime_error {
 public:
  Interrupted(const std::string& message, int signal) : std::runtime_error(message), signal(signal) {}
  int exit_code() const { return 128 + signal; }
  int signal;
};

// Blocks the three signals in the calling thread and in every thread started after it, and
// starts one thread that waits for them (idempotent). Call it first in main, before threads
// start; a child process started later inherits the block and must unblock them. Without it,
// pending_interrupt() stays 0 unless a test calls request_interrupt().
void install_interrupt_handlers();
// The signal that asked to stop, or 0.
int pending_interrupt();
// What a handler does on the first signal (tests use it to interrupt at a chosen point).
void request_interrupt(int signal);
// Forgets a request (tests; a process stops on the first).
void clear_interrupt();
// "SIGINT", "SIGTERM", "SIGHUP".
std::string signal_name(int signal);

// A step boundary: throws Interrupted when a stop was asked for and no DeferInterrupts is alive
// on this thread. `what` names the work in the message ("sampling", "AIS").
void interruption_point(const char* what);

// While alive, interruption points on this thread do nothing: work that must finish whole (a
// training step, whose own boundary the trainer checks) runs samplers that would otherwise stop.
class DeferInterrupts {
 public:
  DeferInterrupts();
  ~DeferInterrupts();
  DeferInterrupts(const DeferInterrupts&) = delete;
  DeferInterrupts& operator=(const DeferInterrupts&) = delete;
};

}  // namespace ebm::io
