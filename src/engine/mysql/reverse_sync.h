// ReverseSync: the revert window's reverse sync. After the swap the old tables
// (`<t>_ordo_old`) are kept in sync with the new ones by a second applier reading the
// binlog from the swap's position, with the roles reversed (new table → old table,
// columns mapped back, renames inverted). It holds the reverse plans, that applier and
// its loop, where the sync starts (or resumes), and why it does not run: for now
// (waiting(), a retryable failure) or for good (error(): a revert is impossible, and
// the checkpoint keeps that).
//
// The engine decides when (after the fence check; a checkpoint when a revert became
// impossible; the engine's death when the lease is lost); this class does the work.
//
// Thread-safety: not thread-safe; the engine's thread only (the loop's own threads are
// SyncLoop's).
//
//   ReverseSync reverse;
//   reverse.set_position(swap.position);
//   if (reverse.Start(conn, tables, streams, pool, sessions, &fence)) checkpoint();
//   Status e = reverse.loop_error();
//   if (!e.ok() && reverse.Halt(e)) checkpoint();
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/event.h"
#include "db/mysql/pool.h"
#include "engine/mysql/applier.h"
#include "engine/mysql/change_stream.h"
#include "engine/mysql/ddl.h"
#include "engine/mysql/fence.h"
#include "engine/mysql/sync_loop.h"
#include "engine/mysql/table_plan.h"

namespace ordo::engine {

// One altered table of the operation, swapped: the new version under the table's name,
// the old one under old_name.
struct ReverseTable {
  std::string schema;
  std::string table;
  std::string shadow_name;  // `<t>_ordo_new`: a revert's sentry, then the new table's name
  std::string old_name;     // `<t>_ordo_old`: the old table, which the sync writes
  const AlterStatement* alter = nullptr;  // the change: its renames are inverted
};

class ReverseSync {
 public:
  ReverseSync() = default;
  ReverseSync(const ReverseSync&) = delete;
  ReverseSync& operator=(const ReverseSync&) = delete;

  // The sync runs (Start succeeded, and it was not halted or closed since).
  bool running() const { return loop_ != nullptr; }
  // Sticky: why a revert is impossible ("" while it is possible).
  const std::string& error() const { return error_; }
  // Transient: why the sync is not running yet ("" once it started).
  const std::string& waiting() const { return waiting_; }
  // A revert is impossible for good: `why`, said as is.
  void MarkUnavailable(std::string why) { error_ = std::move(why); }
  // A checkpoint's: where the sync starts and why a revert is impossible ("" while
  // it is possible).
  void Restore(const BinlogPosition& position, std::string error) {
    position_ = position;
    error_ = std::move(error);
  }

  // Where the sync starts: the swap's binlog position (the cutover, a checkpoint, the
  // fence's record).
  const BinlogPosition& position() const { return position_; }
  void set_position(const BinlogPosition& position) { position_ = position; }
  // The checkpoint's: the applier's safe resume position while it runs, else position().
  BinlogPosition ResumePosition() const;

  // Loads the reverse plans of `tables` and starts the sync from position(). A
  // retryable failure sets waiting(); any other (an old table gone or unfit, no
  // position) sets error(). True when error() was set: a revert became impossible.
  bool Start(db::MysqlConnection& conn, const std::vector<ReverseTable>& tables,
             const ChangeStreamFactory& streams, db::MysqlPool* pool, int apply_sessions,
             const TargetFence* fence);
  // The running loop's error (Ok while it runs; call only while running()).
  Status loop_error() const { return loop_->error(); }
  // The running loop failed with `error` (not a lost lease): it goes, and the sync
  // resumes later from where it stopped (retryable: waiting()) or never (error()).
  // True when error() was set.
  bool Halt(const Status& error);

  // A stop at a safe point: the loop stops (its error is the engine's to ignore).
  void Stop();
  // The engine dies or cancels: the loop is abandoned, kept until Close().
  void Abandon();
  // The loop and applier go (after a revert, or Abandon() at the window's end).
  void Close();

  const std::vector<const TablePlan*>& plans() const { return ptrs_; }
  SyncLoop* loop() const { return loop_.get(); }
  Applier* applier() const { return applier_.get(); }

 private:
  // kAlter tables: new → old, the renames inverted. FailedPrecondition when an old
  // table is gone or cannot be kept in sync.
  Status LoadPlans(db::MysqlConnection& conn, const std::vector<ReverseTable>& tables);
  // Says why the sync is not running: `waiting` and the message when `why` is
  // retryable (it is tried again; false), else a revert is impossible ("revert
  // unavailable: ", `unavailable` and the message; true).
  bool NotRunning(const Status& why, std::string_view waiting, std::string_view unavailable);

  std::vector<std::unique_ptr<TablePlan>> plans_;  // new → old
  std::vector<const TablePlan*> ptrs_;
  std::unique_ptr<Applier> applier_;
  std::unique_ptr<SyncLoop> loop_;  // declared after applier_: destroyed before it
  BinlogPosition position_;         // where the sync starts (the swap)
  std::string error_;               // sticky: why a revert is impossible
  std::string waiting_;             // transient: why the sync is not running
};

}  // namespace ordo::engine
