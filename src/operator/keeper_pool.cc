#include "operator/keeper_pool.h"

#include "core/check.h"

namespace ordo::worker {

bool KeeperPool::TryStart(std::string name, std::function<void()> body) {
  std::vector<std::unique_ptr<Task>> finished;
  {
    MutexLock lock(&mu_);
    if (busy_ >= capacity_) return false;
    ++busy_;
    // Reap the tasks whose bodies have returned, so the list stays bounded.
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (*it->done) {
        finished.push_back(std::move(it->task));
        it = slots_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& t : finished) t->Join();
  auto done = std::make_shared<bool>(false);
  auto task = runtime_.Spawn(std::move(name), [this, done, body = std::move(body)] {
    body();
    MutexLock lock(&mu_);
    *done = true;
    ORDO_DCHECK(busy_ > 0);
    --busy_;
  });
  MutexLock lock(&mu_);
  slots_.push_back(Slot{std::move(task), done});
  return true;
}

int KeeperPool::busy() {
  MutexLock lock(&mu_);
  return busy_;
}

void KeeperPool::JoinAll() {
  std::vector<Slot> slots;
  {
    MutexLock lock(&mu_);
    slots.swap(slots_);
  }
  for (auto& s : slots) s.task->Join();
}

}  // namespace ordo::worker
