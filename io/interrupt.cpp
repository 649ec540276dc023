#include "io/interrupt.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

namespace ebm::io {

namespace {

std::atomic<int> requested{0};
thread_local int deferred = 0;

// The signals arrive only here: every other thread blocks them, so no thread doing work is ever
// interrupted by a handler. (A handler running on the working thread corrupted the heap inside
// oneDNN's sgemm in 2 of 9 runs of tests/test_interrupts.cpp; with this thread, in none of 12.)
void wait_for_signals(sigset_t signals) {
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (requested != 0) {  // the second: end now, as the signal's default action does
      std::signal(signal, SIG_DFL);
      pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
      pthread_kill(pthread_self(), signal);
      continue;
    }
    requested = signal;
    static const char message[] = "\nstopping at the next step boundary (saving the work); signal again to end at once\n";
    ssize_t ignored = ::write(STDERR_FILENO, message, sizeof(message) - 1);
    (void)ignored;
  }
}

}  // namespace

void install_interrupt_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, signal);
    // Blocked here, and so in every thread started from now on (they inherit the mask).
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::thread(wait_for_signals, signals).detach();
  });
}

int pending_interrupt() { return requested; }
void request_interrupt(int signal) { requested = signal; }
void clear_interrupt() { requested = 0; }

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "signal " + std::to_string(signal);
  }
}

void interruption_point(const char* what) {
  if (requested == 0 || deferred > 0) return;
  const int signal = requested;
  throw Interrupted(std::string(what) + " interrupted by " + signal_name(signal), signal);
}

DeferInterrupts::DeferInterrupts() { ++deferred; }
DeferInterrupts::~DeferInterrupts() { --deferred; }

}  // namespace ebm::io
