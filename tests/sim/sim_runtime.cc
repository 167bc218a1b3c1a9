#include "sim_runtime.h"

#include <atomic>

namespace ordo::sim {
namespace {

class SimTask final : public worker::Task {
 public:
  SimTask(SimScheduler& s, int id) : s_(s), id_(id) {}
  void Join() override { s_.Join(id_); }

 private:
  SimScheduler& s_;
  int id_;
};

class SimSignal final : public worker::Signal {
 public:
  explicit SimSignal(SimScheduler& s) : s_(s) {}
  void Notify() override {
    ++generation_;
    s_.Wake(this);
  }
  uint64_t Generation() override { return generation_; }
  uint64_t WaitFor(uint64_t seen, Micros timeout_micros) override {
    if (generation_ != seen || timeout_micros <= 0) return generation_;
    s_.Block(this, s_.Now() + timeout_micros);
    return generation_;
  }

 private:
  SimScheduler& s_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace

std::unique_ptr<worker::Task> SimRuntime::Spawn(std::string name, std::function<void()> body) {
  return std::make_unique<SimTask>(s_, s_.Spawn(std::move(name), std::move(body)));
}

std::unique_ptr<worker::Signal> SimRuntime::NewSignal() { return std::make_unique<SimSignal>(s_); }

}  // namespace ordo::sim
