// SignalWatcher: SIGINT and SIGTERM as counters instead of asynchronous handlers.
//
// The constructor blocks both signals in the calling thread — and so in every thread
// started after it (the worker's drivers, the engine's threads) — and starts a thread
// that takes them with sigtimedwait. Construct it before starting any thread that
// should not be interrupted. `on_signal` runs on the watcher thread.
//
// Thread-safety: count() and last() from any thread.
//
//   SignalWatcher signals([&] { worker.Notify(); });
//   while (signals.count() == 0) { … }
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace ordo::cli {

class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int signal)> on_signal = nullptr);
  ~SignalWatcher();

  int count() const { return count_; }
  int last() const { return last_; }

 private:
  std::function<void(int)> on_signal_;
  std::atomic<int> count_{0};
  std::atomic<int> last_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ordo::cli
