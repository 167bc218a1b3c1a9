// IndexBuilder: the shadows' deferred secondary indexes (deferred_indexes.h), what is
// still missing of them and the build that adds them back after the copy: one online
// ALTER per shadow on a thread of its own, so that it overlaps the verification while
// the change stream keeps the shadows in sync. A kill stops the running statement on
// the server (the shadow keeps its rows); what is still missing stays listed for the
// checkpoint, and a resumed engine builds it.
//
// Thread-safety: one owner thread calls every method; the build's thread only touches
// the build's own state (atomics and `mu`).
//
//   IndexBuilder indexes;
//   indexes.SetMissing(lists_from_checkpoint);
//   indexes.Start(pool, {{"shop", "orders_ordo_new"}}, fence_check, &dead);
//   while (!indexes.Finished()) Tick();
//   ORDO_RETURN_IF_ERROR(indexes.Join());
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "db/mysql/pool.h"
#include "ordo/status.h"

namespace ordo::engine {

class IndexBuilder {
 public:
  // A shadow whose indexes the build adds, by plan index.
  struct Shadow {
    std::string schema;
    std::string name;
  };
  using FenceCheck = std::function<Status(db::MysqlConnection&)>;

  IndexBuilder() = default;
  ~IndexBuilder();  // kills a running build
  IndexBuilder(const IndexBuilder&) = delete;
  IndexBuilder& operator=(const IndexBuilder&) = delete;

  // The index definitions still missing, per plan (the checkpoint's lists).
  void SetMissing(std::vector<std::vector<std::string>> lists) { missing_ = std::move(lists); }
  void SetMissing(size_t plan, std::vector<std::string> list);
  std::vector<std::string> Missing(size_t plan) const;
  bool NothingMissing() const;

  // Starts the build of every shadow with something missing, unless one runs (or ran
  // and was not joined). `fence` runs on the build's connection before each ALTER;
  // after a failure, `dead` set ends the retries.
  void Start(db::MysqlPool* pool, std::vector<Shadow> shadows, FenceCheck fence,
             const std::atomic<bool>* dead);
  bool Started() const { return build_ != nullptr; }
  bool Running() const { return build_ && !build_->finished; }
  bool Finished() const { return build_ && build_->finished; }
  // Joins a finished build: the built shadows leave the missing lists. Its result
  // (Cancelled after a kill); Ok when none started.
  Status Join();
  // Kills the running statement, waits for the thread and joins it.
  void Kill();
  // The build works on the last shadow that had indexes missing.
  bool OnLastShadow() const { return build_ && build_->shadow == build_->last_shadow; }
  // The processlist state of the running ALTER ("" between statements).
  Result<std::string> StatementState();
  // The running ALTER waits for a metadata lock (its final one, held off by a
  // verification's snapshot; the sync loop's writes to that shadow queue behind it).
  bool WaitsForLock();

 private:
  struct Build {
    std::thread thread;
    std::atomic<bool> finished{false};
    std::atomic<bool> cancel{false};
    std::atomic<uint64_t> session{0};  // the session running an ALTER; 0 between them
    std::atomic<int> shadow{-1};       // the plan being built
    int last_shadow = -1;              // the last plan with indexes to add
    Mutex mu;
    std::vector<size_t> built ORDO_GUARDED_BY(mu);  // plans whose indexes are all there
    Status result;                                  // written before `finished`
  };
  Status Run(Build* build, const std::vector<Shadow>& shadows,
             const std::vector<std::vector<std::string>>& lists, const FenceCheck& fence,
             const std::atomic<bool>* dead);

  std::vector<std::vector<std::string>> missing_;
  std::unique_ptr<Build> build_;  // null when none ran since the last join
  db::MysqlPool* pool_ = nullptr;
};

}  // namespace ordo::engine
