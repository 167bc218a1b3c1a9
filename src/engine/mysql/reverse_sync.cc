// ReverseSync: the reverse plans, and starting, halting and closing the revert
// window's second applier.
#include "engine/mysql/reverse_sync.h"

#include "engine/mysql/table_info.h"

namespace ordo::engine {

BinlogPosition ReverseSync::ResumePosition() const {
  return applier_ ? applier_->SafeResumePosition() : position_;
}

Status ReverseSync::LoadPlans(db::MysqlConnection& conn, const std::vector<ReverseTable>& tables) {
  plans_.clear();
  ptrs_.clear();
  for (const ReverseTable& c : tables) {
    std::string where = db::QuoteTable(c.schema, c.table);
    ORDO_ASSIGN_OR_RETURN(TableInfo now, LoadTableInfo(conn, c.schema, c.table));
    auto old = LoadTableInfo(conn, c.schema, c.old_name);
    if (!old.ok()) {
      if (old.status().Is(StatusCode::kNotFound))
        return FailedPrecondition(where + ": the old table " +
                                  db::QuoteTable(c.schema, c.old_name) + " is gone");
      return old.status();
    }
    // The reverse mapping: the change's renames inverted.
    AlterStatement back;
    for (const auto& [from, to] : c.alter->renamed_columns) back.renamed_columns[to] = from;
    auto plan = BuildTablePlan(std::move(now), std::move(*old), back);
    if (!plan.ok())
      return FailedPrecondition(
          where + ": the old table cannot be kept in sync: " + plan.status().message());
    // Reverse roles: the applier writes the old table; a revert's sentry (and the
    // new table's name once swapped back) is the shadow name.
    plan->shadow_name = c.old_name;
    plan->old_name = c.shadow_name;
    ptrs_.push_back(nullptr);
    plans_.push_back(std::make_unique<TablePlan>(std::move(*plan)));
    ptrs_.back() = plans_.back().get();
  }
  return Status::Ok();
}

bool ReverseSync::Start(db::MysqlConnection& conn, const std::vector<ReverseTable>& tables,
                        const ChangeStreamFactory& streams, db::MysqlPool* pool, int apply_sessions,
                        const TargetFence* fence) {
  Status loaded = LoadPlans(conn, tables);
  if (!loaded.ok()) return NotRunning(loaded, "the reverse sync is not running yet: ", "");
  if (position_.empty()) {
    error_ = "revert unavailable: the binlog position of the swap is unknown";
    return true;
  }
  auto applier = std::make_unique<Applier>(ptrs_);
  applier->SetFence([fence](db::MysqlConnection& c) { return fence->Check(c); });
  auto loop = std::make_unique<SyncLoop>(streams, applier.get(), pool, apply_sessions);
  applier->Start(position_);
  Status started = loop->Start(position_);
  if (!started.ok())
    return NotRunning(started,
                      "the reverse sync is not running yet: ", "the reverse sync cannot start: ");
  waiting_.clear();
  applier_ = std::move(applier);
  loop_ = std::move(loop);
  return false;
}

bool ReverseSync::Halt(const Status& error) {
  // Resume later from where it stopped (a transient failure), or never (a row the old
  // table cannot hold: the revert would lose it).
  position_ = applier_->SafeResumePosition();
  loop_->Abandon();
  loop_.reset();
  applier_.reset();
  return NotRunning(error,
                    "the reverse sync stopped and will restart: ", "the reverse sync stopped: ");
}

bool ReverseSync::NotRunning(const Status& why, std::string_view waiting,
                             std::string_view unavailable) {
  if (why.retryable()) {
    waiting_ = std::string(waiting) + why.message();
    return false;
  }
  error_ = "revert unavailable: " + std::string(unavailable) + why.message();
  return true;
}

void ReverseSync::Stop() {
  if (loop_) (void)loop_->Stop();
}

void ReverseSync::Abandon() {
  if (loop_) loop_->Abandon();
}

void ReverseSync::Close() {
  loop_.reset();
  applier_.reset();
}

}  // namespace ordo::engine
