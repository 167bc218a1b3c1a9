// Sync points: named seams where a test can order two threads exactly.
//
// Production code marks dangerous seams with ORDO_SYNC_POINT("Store::ClaimCopy:AfterSelect").
// In builds with ORDO_SYNC_POINTS defined (tests), a test may install a callback for a
// name, or declare "A happens before B" dependencies: a thread reaching B waits until
// some thread has passed A. Without ORDO_SYNC_POINTS the macro compiles to nothing.
//
// Thread-safety: all functions are safe to call from any thread.
//
//   SyncPoints::Get().LoadDependencies({{"T1:Committed", "Store::ClaimCopy:BeforeUpdate"}});
//   SyncPoints::Get().Enable();
//   ... run two threads ...
//   SyncPoints::Get().DisableAndClear();
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ordo {

class SyncPoints {
 public:
  static SyncPoints& Get();

  // Each pair (predecessor, successor): a thread reaching `successor` blocks until
  // `predecessor` has been passed.
  void LoadDependencies(const std::vector<std::pair<std::string, std::string>>& deps);
  // Runs `callback` (on the reaching thread) every time `name` is passed.
  void SetCallback(const std::string& name, std::function<void()> callback);
  void Enable();
  void DisableAndClear();

  // Called by ORDO_SYNC_POINT; returns at once when disabled.
  void Process(const std::string& name);
  // True once `name` has been passed since the last clear.
  bool Passed(const std::string& name);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool enabled_ = false;
  std::map<std::string, std::vector<std::string>> predecessors_;
  std::map<std::string, std::function<void()>> callbacks_;
  std::set<std::string> passed_;
};

}  // namespace ordo

#ifdef ORDO_SYNC_POINTS
#define ORDO_SYNC_POINT(name) ::ordo::SyncPoints::Get().Process(name)
#else
#define ORDO_SYNC_POINT(name) \
  do {                        \
  } while (0)
#endif
