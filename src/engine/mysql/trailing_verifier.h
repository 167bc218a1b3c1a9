// TrailingVerifier: verifies a table's copied chunks while its copy goes on, so that
// the verification before the cutover has only the rest to compare.
//
// It works in rounds behind the copy's watermark: each round takes a consistent point
// like the verification before the cutover (checksum.h) and compares the chunks from
// where the last round stopped up to the watermark. On an idle table this uses the
// core that the copy leaves idle (the AUTO-INC lock makes the copy threads' INSERT …
// SELECTs take turns; docs/engine.md, "Verification").
//
// What a round compared stays compared under the application's writes: every row
// change after its consistent point reaches the shadow through the change stream, as
// after the verification before the cutover (docs/engine.md, "Why what the
// verification compared still holds at the swap"), and the copy only writes keys past
// the watermark. A statement event the stream cannot apply (Applier::
// statements_consumed: statement-format DML, TRUNCATE, DDL other than ordo's own)
// voids it: the count read before the first round and again after the cutover's
// consistent point must be equal (the second reading can only be later than that
// point, which errs towards comparing again), and such a statement ends the rounds.
//
// The rounds use what the copy leaves of the server, so they wait while the
// application writes the tables (`wait`, the duty cycle's signal): no round starts,
// and one under way stops (its chunks are compared by a later round or by the
// verification before the cutover). Beside the copy and the application a round would
// take more than the duty cycle leaves them. A round that fails, or finds a
// difference, ends the rounds without failing anything: the verification before the
// cutover compares those chunks itself and names the difference. A copy that resumed
// from a checkpoint gets no rounds.
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

namespace ordo::engine {

// A prefix of a table known to match: every key up to `through` (one of the copy's
// chunk uppers), as long as Applier::statements_consumed() still reads `statements`.
struct VerifiedPrefix {
  Key through;
  int64_t statements = 0;
};

class TrailingVerifier {
 public:
  // `should_stop`: the rounds end for good. `wait`: no round runs while it holds (may be
  // empty). `round_rows`: a round starts once the watermark is this many rows past the
  // last.
  TrailingVerifier(const TablePlan& plan, const TableCopier& copier, db::MysqlPool* pool,
                   SyncLoop* loop, const Applier& applier, std::function<bool()> should_stop,
                   std::function<bool()> wait, int64_t round_rows = 50000);
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
  db::MysqlPool* pool_;
  SyncLoop* loop_;
  const Applier& applier_;
  std::function<bool()> should_stop_;
  std::function<bool()> wait_;
  int64_t round_rows_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  std::optional<VerifiedPrefix> verified_;  // written by the thread, read after join
};

}  // namespace ordo::engine
