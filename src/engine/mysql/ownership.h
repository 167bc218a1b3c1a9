// Ownership: which operation owns a table's ordo names on the target, recorded there
// before ordo creates anything for the operation, so that an engine never creates,
// writes or drops a table of another operation (another apply, another store).
//
// Each changed table `t` has one record table `<t>_ordo_own` holding one row: the
// owner (the store's identity and display name, the apply, the operation, the
// deployment), the lease token of the engine that holds the operation and the last
// swap attempted. The record of the operation's first table is also its fence
// (fence.h). A record owns the names `<t>_ordo_new`, `<t>_ordo_old` and `<t>_ordo_chk`.
//
//   - Claim(): for every table, a record naming another operation is refused (its
//     owner named), and so is a table under one of ordo's names with no record at all
//     (left by an older ordo or by hand), before anything is created; then the missing
//     records are created, each atomically with its row (`CREATE TABLE … SELECT`: a
//     reader waits for the statement and never sees the table empty). Of two operations
//     claiming at once exactly one creates a table's record; the other is refused
//     naming it and drops the records it made in that call.
//   - Owns(): whether a table's record names this operation (Cancel touches nothing
//     else).
//   - Release(): once the operation's tables are gone, drops its records, the fence's
//     last (the caller checks the fence just before, as before any DDL).
//
// Thread-safety: immutable after construction; each call uses the caller's connection.
//
//   Ownership ownership(owner, {{"shop", "orders"}}, token);
//   ORDO_ASSIGN_OR_RETURN(bool created, ownership.Claim(conn));  // before any other DDL
//   …
//   ORDO_RETURN_IF_ERROR(ownership.Release(conn));  // after dropping the tables
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "binlog/event.h"
#include "db/mysql/connection.h"
#include "ordo/target.h"

namespace ordo::engine {

// One record's row.
struct OwnerRecord {
  TargetOwner owner;      // all empty when the record table has no row
  std::string table;      // the application table the record is for
  std::string token;      // the lease token of the engine holding the operation
  std::string swap_kind;  // "", "cutover" or "revert": the last swap attempted under locks
  BinlogPosition swap_position;
};

// schema.`<table>_ordo_own`'s row; nullopt when there is no record table. A record
// table without a row (its creator crashed), or not of a record's shape, reads as a
// record with an empty owner.
Result<std::optional<OwnerRecord>> ReadOwnerRecord(db::MysqlConnection& conn,
                                                   const std::string& schema,
                                                   const std::string& table);
// The same, from the record table's own name (`record_table`).
Result<std::optional<OwnerRecord>> ReadOwnerRecordNamed(db::MysqlConnection& conn,
                                                        const std::string& schema,
                                                        const std::string& record_table);

class Ownership {
 public:
  Ownership(TargetOwner owner, std::vector<std::pair<std::string, std::string>> tables,
            std::string token);

  // Checks, then records, the operation as the owner of every table's ordo names. True
  // when this call created a record (a fresh claim), false when every record was ours
  // already (a resumed or recovering operation). FailedPrecondition (permanent) naming
  // the table and the owner, or the ownerless table, when a name is not ours; nothing
  // is created then.
  Result<bool> Claim(db::MysqlConnection& conn) const;
  // Whether table `index`'s record names this operation.
  Result<bool> Owns(db::MysqlConnection& conn, size_t index) const;
  // Drops this operation's records (those naming another are left), the first table's
  // (the fence) last. The caller has checked the fence (TargetFence::CheckNow). Ok
  // when there is none.
  Status Release(db::MysqlConnection& conn) const;

  const TargetOwner& owner() const { return owner_; }

 private:
  Status CreateRecord(db::MysqlConnection& conn, size_t index) const;
  // The refusal for table `index`: `record` names another owner (or none), or, with no
  // record, `name` is one of ordo's names taken by a table nobody owns.
  Status Refuse(size_t index, const std::optional<OwnerRecord>& record,
                const std::string& name) const;

  TargetOwner owner_;
  std::vector<std::pair<std::string, std::string>> tables_;  // (schema, table)
  std::string token_;
};

}  // namespace ordo::engine
