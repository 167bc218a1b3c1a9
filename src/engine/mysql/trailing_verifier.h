// TrailingVerifier: verifies a table's copied chunks while its copy goes on, so that
// the verification before the cutover has only the rest to compare.
//
// It works in rounds behind the copy's watermark: each round takes a consistent point
// like the verification before the cutover (checksum.h) and compares the chunks from
// where the last round stopped up to the watermark. On an idle table this uses the
// core that the copy leaves idle (the AUTO-INC lock makes the copy threads' INSERT …
// SELECTs take turns; docs/engine.md, "Verification").
//
// What it verified stands only while nothing that could change the operation's tables
// has been consumed since its first round began (Applier::changes_consumed: their
// transactions, and statements other than ordo's own shadow ALTERs): the count read
// before that round and again after the cutover's consistent point must be equal (the
// second reading can only be later than that point, which errs towards comparing
// again). Any change ends the rounds — under application writes they would be compared
// again anyway. A round that fails, or finds a difference, also ends them without failing
// anything: the verification before the cutover compares those chunks itself and
// names the difference. A copy that resumed from a checkpoint gets no rounds.
//
// Thread-safety: Start and Finish from one thread.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <thread>

#include "db/mysql/pool.h"
#include "engine/mysql/applier.h"
#include "engine/mysql/copier.h"
#include "engine/mysql/sync_loop.h"
#include "engine/mysql/table_plan.h"

namespace ordo {

// A prefix of a table known to match: every key up to `through` (one of the copy's
// chunk uppers), as long as Applier::changes_consumed() still reads `changes`.
struct VerifiedPrefix {
  Key through;
  int64_t changes = 0;
};

class TrailingVerifier {
 public:
  // `round_rows`: a round starts once the watermark is this many rows past the last.
  TrailingVerifier(const TablePlan& plan, const TableCopier& copier, MysqlPool* pool,
                   SyncLoop* loop, const Applier& applier, std::function<bool()> should_stop,
                   int64_t round_rows = 50000);
  ~TrailingVerifier();
  TrailingVerifier(const TrailingVerifier&) = delete;
  TrailingVerifier& operator=(const TrailingVerifier&) = delete;

  void Start();
  // Ends the rounds (one under way finishes first) and returns what they verified.
  std::optional<VerifiedPrefix> Finish();

 private:
  void Run();

  const TablePlan& plan_;
  const TableCopier& copier_;
  MysqlPool* pool_;
  SyncLoop* loop_;
  const Applier& applier_;
  std::function<bool()> should_stop_;
  int64_t round_rows_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  std::optional<VerifiedPrefix> verified_;  // written by the thread, read after join
};

}  // namespace ordo
