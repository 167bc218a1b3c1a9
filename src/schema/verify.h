// The check that a plan does what it says: the live tables a plan touches are created
// again in a fresh scratch schema from their SHOW CREATE TABLE text (structure only,
// no rows), the plan's statements run there, and each table read back must equal the
// desired one — the model (SameTable) and the SHOW CREATE TABLE text, AUTO_INCREMENT=
// aside. A mismatch is an error naming the table and the first difference; a plan is
// never shown unverified.
//
// Thread-safety: uses the connection it is given; one caller at a time.
//
//   ORDO_RETURN_IF_ERROR(VerifyChanges(conn, live, desired, changes, cancelled));
#pragma once

#include <vector>

#include "db/mysql/connection.h"
#include "ordo/status.h"
#include "schema/diff.h"
#include "schema/model.h"
#include "schema/scratch.h"

namespace ordo::schema {

// Ok when replaying `changes` on copies of `live`'s tables gives `desired`'s.
// Internal "plan verification failed: table `t`: …" on a mismatch, InvalidArgument
// "plan verification failed: table `t`: <server's error>" when a statement fails;
// the scratch schema is dropped either way.
Status VerifyChanges(db::MysqlConnection& conn, const SchemaDef& live, const SchemaDef& desired,
                     const std::vector<TableChange>& changes, const CancelCheck& cancelled);

// The first line where two SHOW CREATE TABLE texts differ, as "got …, want …"; "" when
// they are equal (AUTO_INCREMENT= aside).
std::string FirstDifference(std::string_view got, std::string_view want);

}  // namespace ordo::schema
