#include "sim_scheduler.h"

#include <cstdio>
#include <cstdlib>

namespace ordo::sim {
namespace {

thread_local int tls_task = -1;

}  // namespace

SimScheduler::SimScheduler(uint64_t seed, Micros start_micros)
    : now_(start_micros), pick_rng_(seed * 2 + 1), rng_(seed) {}

SimScheduler::~SimScheduler() {
  for (auto& t : tasks_)
    if (t->thread.joinable()) t->thread.join();
}

int SimScheduler::Self() { return tls_task; }

void SimScheduler::AdoptMainThread() {
  std::lock_guard<std::mutex> lock(mu_);
  auto info = std::make_unique<TaskInfo>();
  info->name = "main";
  tasks_.push_back(std::move(info));
  tls_task = 0;
  current_ = 0;
}

int SimScheduler::Spawn(std::string name, std::function<void()> body) {
  std::unique_lock<std::mutex> lock(mu_);
  int id = static_cast<int>(tasks_.size());
  auto info = std::make_unique<TaskInfo>();
  info->name = std::move(name);
  TaskInfo* raw = info.get();
  tasks_.push_back(std::move(info));
  raw->thread = std::thread([this, id, body = std::move(body)] {
    tls_task = id;
    {
      std::unique_lock<std::mutex> l(mu_);
      WaitTurn(l, id);
    }
    body();
    std::unique_lock<std::mutex> l(mu_);
    tasks_[id]->state = State::kDone;
    for (auto& t : tasks_) {
      if (t->state == State::kBlocked && t->key == tasks_[id].get()) {
        t->state = State::kRunnable;
        t->deadline = kNoDeadline;
      }
    }
    PassBaton(l);
  });
  return id;
}

void SimScheduler::Die(const std::string& why) {
  std::fprintf(stderr, "ordo-sim: %s at virtual time %lld after %llu steps; tasks:\n", why.c_str(),
               static_cast<long long>(now_), static_cast<unsigned long long>(steps_));
  for (size_t i = 0; i < tasks_.size(); ++i) {
    const char* state = tasks_[i]->state == State::kRunnable  ? "runnable"
                        : tasks_[i]->state == State::kBlocked ? "blocked"
                                                              : "done";
    std::fprintf(stderr, "  %zu %s: %s\n", i, tasks_[i]->name.c_str(), state);
  }
  std::fflush(stderr);
  std::abort();
}

void SimScheduler::PassBaton(std::unique_lock<std::mutex>& /*lock*/) {
  ++steps_;
  if (step_limit_ > 0 && steps_ > step_limit_) Die("step limit exceeded (livelock?)");
  while (true) {
    std::vector<int> runnable;
    for (size_t i = 0; i < tasks_.size(); ++i)
      if (tasks_[i]->state == State::kRunnable) runnable.push_back(static_cast<int>(i));
    if (!runnable.empty()) {
      current_ = runnable[pick_rng_() % runnable.size()];
      cv_.notify_all();
      return;
    }
    Micros next = kNoDeadline;
    for (auto& t : tasks_)
      if (t->state == State::kBlocked && t->deadline < next) next = t->deadline;
    if (next == kNoDeadline) {
      bool all_done = true;
      for (auto& t : tasks_) all_done = all_done && t->state == State::kDone;
      if (all_done) {
        current_ = -1;
        cv_.notify_all();
        return;
      }
      Die("deadlock: no task can run");
    }
    if (next > now_) now_ = next;
    for (auto& t : tasks_) {
      if (t->state == State::kBlocked && t->deadline <= now_) {
        t->state = State::kRunnable;
        t->deadline = kNoDeadline;
        t->key = nullptr;
      }
    }
  }
}

void SimScheduler::WaitTurn(std::unique_lock<std::mutex>& lock, int id) {
  cv_.wait(lock, [&] { return current_ == id; });
}

void SimScheduler::Yield() {
  std::unique_lock<std::mutex> lock(mu_);
  int self = Self();
  tasks_[self]->state = State::kRunnable;
  PassBaton(lock);
  WaitTurn(lock, self);
}

void SimScheduler::Block(const void* key, Micros deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  int self = Self();
  TaskInfo& t = *tasks_[self];
  t.state = State::kBlocked;
  t.key = key;
  t.deadline = deadline;
  PassBaton(lock);
  WaitTurn(lock, self);
}

void SimScheduler::Wake(const void* key) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : tasks_) {
    if (t->state == State::kBlocked && key != nullptr && t->key == key) {
      t->state = State::kRunnable;
      t->deadline = kNoDeadline;
      t->key = nullptr;
    }
  }
}

void SimScheduler::Join(int task) {
  const void* key = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tasks_[task]->state == State::kDone) return;
    key = tasks_[task].get();
  }
  Block(key, kNoDeadline);
}

void SimScheduler::Sleep(Micros micros) {
  Micros deadline;
  {
    std::lock_guard<std::mutex> lock(mu_);
    deadline = now_ + std::max<Micros>(micros, 0);
  }
  // A unique key nobody wakes: this task's own stack address.
  int marker = 0;
  Block(&marker, deadline);
}

Micros SimScheduler::Now() {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

uint64_t SimScheduler::steps() {
  std::lock_guard<std::mutex> lock(mu_);
  return steps_;
}

}  // namespace ordo::sim
