#include "ordo/sync_point.h"

namespace ordo {

SyncPoints& SyncPoints::Get() {
  static SyncPoints instance;
  return instance;
}

void SyncPoints::LoadDependencies(const std::vector<std::pair<std::string, std::string>>& deps) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [before, after] : deps) predecessors_[after].push_back(before);
}

void SyncPoints::SetCallback(const std::string& name, std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(mu_);
  callbacks_[name] = std::move(callback);
}

void SyncPoints::Enable() {
  std::lock_guard<std::mutex> lock(mu_);
  enabled_ = true;
}

void SyncPoints::DisableAndClear() {
  std::lock_guard<std::mutex> lock(mu_);
  enabled_ = false;
  predecessors_.clear();
  callbacks_.clear();
  passed_.clear();
  cv_.notify_all();
}

void SyncPoints::Process(const std::string& name) {
  std::function<void()> callback;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!enabled_) return;
    auto it = predecessors_.find(name);
    if (it != predecessors_.end()) {
      cv_.wait(lock, [&] {
        if (!enabled_) return true;
        for (const auto& p : it->second)
          if (!passed_.count(p)) return false;
        return true;
      });
    }
    auto cb = callbacks_.find(name);
    if (cb != callbacks_.end()) callback = cb->second;
  }
  // The callback runs unlocked so it may itself reach other sync points.
  if (callback) callback();
  std::lock_guard<std::mutex> lock(mu_);
  passed_.insert(name);
  cv_.notify_all();
}

bool SyncPoints::Passed(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return passed_.count(name) > 0;
}

}  // namespace ordo
