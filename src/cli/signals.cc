#include "cli/signals.h"

#include <csignal>
#include <ctime>

namespace ordo::cli {

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    while (!stop_) {
      timespec wait{0, 100'000'000};
      int sig = sigtimedwait(&set, nullptr, &wait);
      if (sig <= 0) continue;
      last_ = sig;
      ++count_;
      if (on_signal_) on_signal_(sig);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace ordo::cli
