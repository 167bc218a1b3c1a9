// TargetFence: the operation's fence row on the target, so that a displaced engine
// (whose driver lost the lease) cannot write to the shadow or old tables once a newer
// engine holds the operation.
//
// One row per operation in `_ordo_fence` (created on first use in the schema of the
// operation's first table), keyed by the operation, carrying the lease token of the
// engine that holds it:
//
//   - Advance(): a new engine takes the row (token := its lease token) before its
//     first write, then proves its lease with one fenced store write (the engine's
//     first progress report). An engine whose lease is already gone fails that proof
//     and writes nothing; one displaced later finds another token at its next check.
//   - Check(): every copy chunk and apply batch runs in a transaction that first
//     reads the row with a shared lock (one primary-key lookup) and compares the token.
//     Shared locks let the copy threads and the applier share the row; an Advance()
//     (exclusive) waits for the transactions in flight, and every later one sees the
//     new token. A mismatch is LeaseLost (retryable: the store, not the target, says
//     whether this driver still holds the lease).
//   - RecordSwap(): under the cutover's table locks (the row's table is locked WRITE by
//     the first locking session, so nobody can advance it during the swap), a guarded
//     UPDATE that checks the token and records the kind of swap ("cutover" / "revert")
//     and the binlog position read under the locks. After a crash this tells a new
//     engine where the reverse sync of the revert window starts and which swap was
//     attempted; the tables themselves tell whether it happened.
//   - Remove(): when the operation's work on the target is over.
//
// Thread-safety: the object is immutable after construction; each call uses the
// connection the caller owns.
//
//   TargetFence fence(schema, "op-42", token);
//   ORDO_RETURN_IF_ERROR(fence.Advance(conn));
//   conn.Execute("BEGIN"); ORDO_RETURN_IF_ERROR(fence.Check(conn)); … conn.Execute("COMMIT");
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/mysql/connection.h"
#include "engine/mysql/binlog_event.h"

namespace ordo {

inline constexpr const char* kFenceTable = "_ordo_fence";

struct FenceRow {
  std::string token;
  std::string swap_kind;  // "", "cutover" or "revert": the last swap attempted under locks
  BinlogPosition swap_position;
};

class TargetFence {
 public:
  TargetFence(std::string schema, std::string key, std::string token);

  // The fence key of an operation: `operation_id` when set, else its tables
  // ("schema.table,…", sorted; one in-flight operation per deployment makes that
  // unique), shortened with a hash past 191 characters.
  static std::string KeyFor(const std::string& operation_id,
                            std::vector<std::pair<std::string, std::string>> tables);

  const std::string& schema() const { return schema_; }
  const std::string& token() const { return token_; }
  // "`schema`.`_ordo_fence`"
  std::string table() const;

  // Creates the fence table if needed and sets the row's token to ours.
  Status Advance(MysqlConnection& conn) const;
  // Inside the caller's transaction: shared-locks the row and checks it carries our
  // token. LeaseLost (retryable) naming the situation otherwise.
  Status Check(MysqlConnection& conn) const;
  // Check() in a transaction of its own (before DDL, which cannot share one).
  Status CheckNow(MysqlConnection& conn) const;
  // Guarded UPDATE recording a swap about to happen at `position`; LeaseLost when the
  // row carries another token. Run under the swap's table locks.
  Status RecordSwap(MysqlConnection& conn, const std::string& kind,
                    const BinlogPosition& position) const;
  // The row, or nullopt when there is none (or no fence table).
  Result<std::optional<FenceRow>> Read(MysqlConnection& conn) const;
  // Deletes our row (only while it carries our token).
  Status Remove(MysqlConnection& conn) const;

 private:
  std::string schema_;
  std::string key_;
  std::string token_;
};

}  // namespace ordo
