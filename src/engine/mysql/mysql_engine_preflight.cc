// MysqlEngine: preflight — the input, the server's settings, each table, the DDL on an
// empty copy, the instant decision — and, for a recovered operation, where it stands
// (swapped? reverted?), from its resume state and from the target itself.
#include <algorithm>
#include <set>

#include "engine/mysql/ddl_trial.h"
#include "engine/mysql/instant.h"
#include "engine/mysql/mysql_engine.h"
#include "engine/mysql/server_hints.h"

namespace ordo::engine {

db::MysqlConnectOptions EngineConnectOptions() {
  db::MysqlConnectOptions o;
  o.read_timeout_s = 3600;  // a chunk or a checksum may run for a while under load
  o.init_statements = {
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
      "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
      "SET SESSION time_zone = '+00:00'",
      "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
      "SET SESSION max_error_count = 65535",
      "SET SESSION innodb_lock_wait_timeout = 20",
      "SET SESSION lock_wait_timeout = 120",
  };
  return o;
}

Status MysqlEngine::Prepare() {
  if (prepared_) return Status::Ok();
  if (spec_.changes.empty()) return InvalidArgument("the operation has no table change");
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<std::pair<std::string, std::string>> tables;
  changes_.clear();
  for (TableChange& tc : spec_.changes) {
    if (tc.schema_name.empty()) tc.schema_name = dsn_.database;
    std::string where = db::QuoteTable(tc.schema_name, tc.table_name);
    if (tc.schema_name.empty())
      return InvalidArgument(where + ": no schema (neither in the change nor in the DSN)");
    auto statement = ParseChange(tc.ddl);
    if (!statement.ok()) return statement.status().WithContext(where);
    if (statement->table_name != tc.table_name ||
        (!statement->schema_name.empty() && statement->schema_name != tc.schema_name))
      return InvalidArgument(where + ": the DDL changes another table (" +
                             db::QuoteTable(statement->schema_name, statement->table_name) + ")");
    if (!seen.insert({tc.schema_name, tc.table_name}).second)
      return InvalidArgument(where + ": one change per table; this table appears twice");
    Change c;
    c.kind = statement->kind;
    c.schema = tc.schema_name;
    c.table = tc.table_name;
    c.alter = std::move(statement->alter);
    c.create_body = std::move(statement->create_body);
    c.shadow_name = ShadowTableName(c.table);
    c.old_name = OldTableName(c.table);
    changes_.push_back(std::move(c));
    tables.emplace_back(tc.schema_name, tc.table_name);
  }
  if (spec_.resume_state && !spec_.resume_state->empty()) {
    ORDO_ASSIGN_OR_RETURN(ResumeState saved, DecodeResumeState(*spec_.resume_state));
    saved_ = std::move(saved);
  }
  TargetOwner owner = spec_.owner;
  if (owner.operation.empty()) owner.operation = TargetFence::KeyFor("", tables);
  ownership_ = std::make_unique<Ownership>(owner, tables, spec_.fence_token);
  fence_ = std::make_unique<TargetFence>(changes_[0].schema, changes_[0].table, owner,
                                         spec_.fence_token);
  if (!pool_) pool_ = std::make_unique<db::MysqlPool>(dsn_, EngineConnectOptions(), 16);
  prepared_ = true;
  return Status::Ok();
}

Status MysqlEngine::CheckServer(db::MysqlConnection& conn) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows v,
                        conn.Query("SELECT @@log_bin, @@binlog_format, @@binlog_row_image"));
  const db::SqlRow& r = v.rows.at(0);
  if (r[0].value_or("0") != "1")
    return FailedPrecondition("binary logging is off on the target; ordo needs log_bin");
  if (r[1].value_or("") != "ROW")
    return FailedPrecondition("binlog_format is " + r[1].value_or("?") + "; ordo needs ROW");
  if (r[2].value_or("") != "FULL")
    return FailedPrecondition("binlog_row_image is " + r[2].value_or("?") + "; ordo needs FULL");
  ORDO_ASSIGN_OR_RETURN(db::SqlRows grants, conn.Query("SHOW GRANTS FOR CURRENT_USER()"));
  bool replication = false;
  for (const db::SqlRow& g : grants.rows) {
    std::string text = g[0].value_or("");
    if (text.find("ALL PRIVILEGES ON *.*") != std::string::npos ||
        text.find("REPLICATION SLAVE") != std::string::npos ||
        text.find("REPLICATION REPLICA") != std::string::npos)
      replication = true;
  }
  if (!replication)
    return FailedPrecondition(
        "the target user lacks the REPLICATION SLAVE privilege (binlog capture)");
  return Status::Ok();
}

Result<std::unique_ptr<TablePlan>> MysqlEngine::PlanAlter(db::MysqlConnection& conn,
                                                          const Change& change, bool try_instant,
                                                          bool* instant) {
  std::string where = db::QuoteTable(change.schema, change.table);
  ORDO_ASSIGN_OR_RETURN(TableInfo source, LoadTableInfo(conn, change.schema, change.table));
  ORDO_RETURN_IF_ERROR(RefuseUnsupported(source, where));
  // The DDL is tried on an empty copy first, which also tells the new definition and
  // (without touching the real table) whether MariaDB can apply it instantly.
  std::string check_name = CheckTableName(change.table);
  std::string check = db::QuoteTable(change.schema, check_name);
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + check));
  ORDO_RETURN_IF_ERROR(conn.Execute("CREATE TABLE " + check + " LIKE " + where));
  *instant = false;
  Status altered = Internal("not tried");
  if (try_instant) {
    altered = conn.Execute(InstantAlter(check, change.alter.spec));
    *instant = altered.ok();
  }
  if (!*instant) altered = conn.Execute("ALTER TABLE " + check + " " + change.alter.spec);
  Result<TableInfo> shadow =
      altered.ok() ? LoadTableInfo(conn, change.schema, check_name) : Result<TableInfo>(altered);
  if (altered.ok() && *instant) {
    auto definition = DefinitionHash(conn, change.schema, check_name);
    if (definition.ok())
      instant_definition_ = *definition;
    else
      *instant = false;
  }
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + check));
  if (!altered.ok())
    return InvalidArgument(where + ": the change does not apply: " +
                           WithTableName(altered.message(), check_name, change.table));
  if (!shadow.ok()) return shadow.status();
  shadow->table_name = change.shadow_name;
  ORDO_ASSIGN_OR_RETURN(TablePlan plan,
                        BuildTablePlan(std::move(source), std::move(*shadow), change.alter));
  for (int k : plan.source_key) {
    bool common = false;
    for (int i : plan.source_index) common = common || i == k;
    if (!common)
      return FailedPrecondition(where + ": the change drops a column of the table's key");
  }
  return std::make_unique<TablePlan>(std::move(plan));
}

Status MysqlEngine::CheckCreate(db::MysqlConnection& conn, const Change& change) {
  std::string where = db::QuoteTable(change.schema, change.table);
  ORDO_ASSIGN_OR_RETURN(bool exists, TableExists(conn, change.schema, change.table));
  if (exists) return FailedPrecondition(where + " already exists; the change creates it");
  std::string check_name = CheckTableName(change.table);
  std::string check = db::QuoteTable(change.schema, check_name);
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + check));
  Status created = conn.Execute("CREATE TABLE " + check + " " + change.create_body);
  Result<TableInfo> info =
      created.ok() ? LoadTableInfo(conn, change.schema, check_name) : Result<TableInfo>(created);
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + check));
  if (!created.ok())
    return InvalidArgument(where + ": the CREATE TABLE does not apply: " +
                           WithTableName(created.message(), check_name, change.table));
  if (!info.ok()) return info.status();
  return RefuseUnsupported(*info, where);
}

Status MysqlEngine::CheckDrop(db::MysqlConnection& conn, const Change& change) {
  std::string where = db::QuoteTable(change.schema, change.table);
  auto info = LoadTableInfo(conn, change.schema, change.table);
  if (!info.ok()) {
    if (info.status().Is(StatusCode::kNotFound))
      return FailedPrecondition(where + " does not exist; the change drops it");
    return info.status();
  }
  return RefuseUnsupported(*info, where);
}

Result<bool> MysqlEngine::SwappedOnTarget(db::MysqlConnection& conn) {
  // RENAME TABLE is atomic: the first table tells for all of them.
  const Change& c = changes_[0];
  auto real = [&](const std::string& name) -> Result<bool> {
    ORDO_ASSIGN_OR_RETURN(bool exists, TableExists(conn, c.schema, name));
    if (!exists) return false;
    ORDO_ASSIGN_OR_RETURN(bool sentry, IsSentry(conn, c.schema, name));
    return !sentry;
  };
  switch (c.kind) {
    case ChangeKind::kAlter: {
      ORDO_ASSIGN_OR_RETURN(bool shadow, real(c.shadow_name));
      ORDO_ASSIGN_OR_RETURN(bool old, real(c.old_name));
      return !shadow && old;
    }
    case ChangeKind::kCreate: {
      ORDO_ASSIGN_OR_RETURN(bool shadow, real(c.shadow_name));
      ORDO_ASSIGN_OR_RETURN(bool table, real(c.table));
      return !shadow && table;
    }
    case ChangeKind::kDrop: {
      ORDO_ASSIGN_OR_RETURN(bool table, real(c.table));
      ORDO_ASSIGN_OR_RETURN(bool old, real(c.old_name));
      return !table && old;
    }
  }
  return false;
}

Result<bool> MysqlEngine::RevertedOnTarget(db::MysqlConnection& conn) {
  const Change& c = changes_[0];
  ORDO_ASSIGN_OR_RETURN(bool table, TableExists(conn, c.schema, c.table));
  ORDO_ASSIGN_OR_RETURN(bool old, TableExists(conn, c.schema, c.old_name));
  switch (c.kind) {
    case ChangeKind::kAlter:
      return table && !old;  // the old table took the name back
    case ChangeKind::kCreate:
      return !table;  // the created table went away
    case ChangeKind::kDrop:
      return table && !old;  // the dropped table came back
  }
  return false;
}

Status MysqlEngine::DetectStage(db::MysqlConnection& conn) {
  stage_ = EngineStage::kCopy;
  // A fresh operation (no resume state) reads no evidence: whatever the target holds
  // under ordo's names belongs to someone else.
  if (!saved_) return Status::Ok();
  stage_ = saved_->stage;
  reverse_.Restore(saved_->reverse_position, saved_->revert_error);
  instant_ = saved_->instant;
  instant_definition_ = saved_->instant_definition;
  if (stage_ == EngineStage::kReverted || stage_ == EngineStage::kFinished) return Status::Ok();
  if (instant_) {
    if (stage_ == EngineStage::kCopy) {
      // Did the instant ALTER run before the crash? The table's definition says.
      const Change& c = changes_[0];
      ORDO_ASSIGN_OR_RETURN(std::string now, DefinitionHash(conn, c.schema, c.table));
      if (now == instant_definition_) stage_ = EngineStage::kSwapped;
    }
    return Status::Ok();
  }
  ORDO_ASSIGN_OR_RETURN(auto row, fence_->Read(conn));
  if (row && row->swap_kind == "revert") {
    stage_ = EngineStage::kSwapped;
    ORDO_ASSIGN_OR_RETURN(bool reverted, RevertedOnTarget(conn));
    if (reverted) stage_ = EngineStage::kReverted;
  } else if (row && row->swap_kind == "cutover" && stage_ == EngineStage::kCopy) {
    // A crash between the rename and its checkpoint: the target tells.
    ORDO_ASSIGN_OR_RETURN(bool swapped, SwappedOnTarget(conn));
    if (swapped) stage_ = EngineStage::kSwapped;
  }
  if (stage_ == EngineStage::kSwapped && reverse_.position().empty() && row &&
      row->swap_kind == "cutover")
    reverse_.set_position(row->swap_position);
  return Status::Ok();
}

void MysqlEngine::NoteBufferPool(db::MysqlConnection& conn) {
  std::vector<std::pair<std::string, std::string>> copied;
  for (const auto& plan : plans_) copied.emplace_back(plan->schema(), plan->table());
  if (copied.empty()) return;
  // Advice only: a failed look-up (statistics hidden from this user) says nothing.
  auto notice = ReadBufferPoolNotice(conn, copied);
  if (notice.ok() && !notice->empty()) {
    MutexLock lock(&notices_mu_);
    notices_ = {*notice};
  }
}

Status MysqlEngine::Preflight() {
  if (preflight_done_) return Status::Ok();
  if (dead_) return Dead();
  ORDO_RETURN_IF_ERROR(Prepare());
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  ORDO_RETURN_IF_ERROR(CheckServer(*conn));
  // A driver whose lease is already gone records nothing on the target.
  ORDO_RETURN_IF_ERROR(ProveLease());
  // Before anything else is created: the tables' ordo names are this operation's, or
  // the operation is refused here (another apply's, or nobody's), and the fence ours.
  auto claimed = ownership_->Claim(*conn);
  if (!claimed.ok()) {
    const bool over = saved_ && (saved_->stage == EngineStage::kFinished ||
                                 saved_->stage == EngineStage::kReverted);
    if (!over || !claimed.status().Is(StatusCode::kFailedPrecondition)) return claimed.status();
    // The operation ended before a crash and released its names, which another
    // operation owns by now: nothing of this one is left to remove.
    stage_ = saved_->stage;
    preflight_done_ = true;
    return Status::Ok();
  }
  Status s = TakeFence();
  if (s.ok()) s = PreflightOwned(*conn);
  if (!s.ok() && *claimed && !s.retryable() && !dead_) {
    // A fresh operation refused: it created nothing but its records, which go again.
    // (A retryable failure keeps them for the retry.)
    if (fence_->CheckNow(*conn).ok()) (void)ownership_->Release(*conn);
  }
  return s;
}

Status MysqlEngine::PreflightOwned(db::MysqlConnection& conn) {
  const EngineStage recorded = saved_ ? saved_->stage : EngineStage::kCopy;
  ORDO_RETURN_IF_ERROR(DetectStage(conn));
  if (stage_ != recorded) {
    // The target told more than the checkpoint (its holder died between a swap and its
    // checkpoint): written down before anything acts on it, since what comes next —
    // dropping the old table or the shadow, releasing the fence — wipes the evidence,
    // and an engine dying after that would read the target wrong.
    Status saved = SaveCheckpoint();
    if (!saved.ok()) return Die(saved);
  }
  if (stage_ == EngineStage::kFinished || stage_ == EngineStage::kReverted) {
    // The operation's work on the target ended before a crash: what it left goes now
    // (both are idempotent), so its records never outlive it.
    ORDO_RETURN_IF_ERROR(stage_ == EngineStage::kFinished ? FinishOld() : FinishReverted(conn));
    if (stage_ == EngineStage::kReverted) phase_ = "reverted";
    preflight_done_ = true;
    return Status::Ok();
  }
  plans_.clear();
  plan_ptrs_.clear();
  if (stage_ == EngineStage::kCopy) {
    // Instant only for a single-table ALTER: several instant ALTERs could not be one
    // atomic swap.
    bool try_instant =
        spec_.allow_instant && changes_.size() == 1 && changes_[0].kind == ChangeKind::kAlter;
    if (saved_ && !saved_->instant && !saved_->tables.empty())
      try_instant = false;  // a copy under way
    for (Change& c : changes_) {
      switch (c.kind) {
        case ChangeKind::kAlter: {
          bool instant = false;
          ORDO_ASSIGN_OR_RETURN(auto plan, PlanAlter(conn, c, try_instant, &instant));
          instant_ = instant;
          c.plan = static_cast<int>(plans_.size());
          plan_ptrs_.push_back(plan.get());
          plans_.push_back(std::move(plan));
          break;
        }
        case ChangeKind::kCreate:
          ORDO_RETURN_IF_ERROR(CheckCreate(conn, c));
          break;
        case ChangeKind::kDrop:
          ORDO_RETURN_IF_ERROR(CheckDrop(conn, c));
          break;
      }
    }
    if (instant_) {
      // Nothing is copied: the ALTER itself runs at cutover.
      plans_.clear();
      plan_ptrs_.clear();
      changes_[0].plan = -1;
    }
    NoteBufferPool(conn);
  } else {
    int n = 0;
    for (Change& c : changes_)
      if (c.kind == ChangeKind::kAlter && !instant_) c.plan = n++;
  }
  preflight_done_ = true;
  return Status::Ok();
}

}  // namespace ordo::engine
