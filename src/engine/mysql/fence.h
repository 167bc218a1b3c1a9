// TargetFence: the operation's fence on the target, so that a displaced engine (whose
// driver lost the lease) cannot write to the shadow or old tables once a newer engine
// holds the operation.
//
// The fence is the ownership record of the operation's first table (`<t>_ordo_own`,
// ownership.h), created by Ownership::Claim before anything else; it carries the lease
// token of the engine that holds the operation:
//
//   - Advance(): a new engine takes the record (token := its lease token) before its
//     first write, then proves its lease with one fenced store write (the engine's
//     first progress report). An engine whose lease is already gone fails that proof
//     and writes nothing; one displaced later finds another token at its next check.
//   - Check(): every copy chunk and apply batch runs in a transaction that first
//     reads the record with a shared lock (one primary-key lookup) and compares the
//     token. Shared locks let the copy threads and the applier share the row; an
//     Advance() (exclusive) waits for the transactions in flight, and every later one
//     sees the new token. A mismatch, or no record, is LeaseLost (retryable: the store,
//     not the target, says whether this driver still holds the lease).
//   - RecordSwap(): under the cutover's table locks (the record's table is locked WRITE
//     by the first locking session, so nobody can advance it during the swap), a
//     guarded UPDATE that checks the token and records the kind of swap ("cutover" /
//     "revert") and the binlog position read under the locks. After a crash this tells
//     a new engine where the reverse sync of the revert window starts and which swap
//     was attempted; the tables themselves tell whether it happened.
//   - The record goes with the operation's other records (Ownership::Release) when its
//     work on the target is over.
//
// Thread-safety: the object is immutable after construction; each call uses the
// connection the caller owns.
//
//   TargetFence fence(schema, "orders", owner, token);
//   ORDO_RETURN_IF_ERROR(fence.Advance(conn));
//   conn.Execute("BEGIN"); ORDO_RETURN_IF_ERROR(fence.Check(conn)); … conn.Execute("COMMIT");
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "binlog/event.h"
#include "db/mysql/connection.h"
#include "engine/mysql/ownership.h"

namespace ordo::engine {

class TargetFence {
 public:
  // The fence of `owner`'s operation whose first table is schema.`table`.
  TargetFence(std::string schema, std::string table, TargetOwner owner, std::string token);

  // The name of an operation of no store (TargetOwner::operation left empty): its
  // tables ("schema.table,…", sorted; one in-flight operation per table makes that
  // unique), or `operation_id` when set; shortened with a hash past 191 characters.
  static std::string KeyFor(const std::string& operation_id,
                            std::vector<std::pair<std::string, std::string>> tables);

  const std::string& schema() const { return schema_; }
  const std::string& token() const { return token_; }
  // "`schema`.`<table>_ordo_own`"
  std::string table() const;

  // Sets the record's token to ours. FailedPrecondition when the record is not this
  // operation's (Ownership::Claim creates it first).
  Status Advance(db::MysqlConnection& conn) const;
  // Inside the caller's transaction: shared-locks the record and checks it carries our
  // token. LeaseLost (retryable) naming the situation otherwise.
  Status Check(db::MysqlConnection& conn) const;
  // Check() in a transaction of its own (before DDL, which cannot share one).
  Status CheckNow(db::MysqlConnection& conn) const;
  // Guarded UPDATE recording a swap about to happen at `position`; LeaseLost when the
  // record carries another token. Run under the swap's table locks.
  Status RecordSwap(db::MysqlConnection& conn, const std::string& kind,
                    const BinlogPosition& position) const;
  // The record, or nullopt when there is none.
  Result<std::optional<OwnerRecord>> Read(db::MysqlConnection& conn) const;

 private:
  std::string schema_;
  std::string table_;
  TargetOwner owner_;
  std::string token_;
};

}  // namespace ordo::engine
