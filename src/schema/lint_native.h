// runs-natively: whether MariaDB itself can apply the change of one table without
// copying it — instantly (only the table's metadata changes) or in place (an index
// built while writes go on) — and why. Internal to src/schema/.
//
// Conservative by design: a change is called native only when every part of it is one
// of these, on the server's version (mariadb.com/kb, "InnoDB Online DDL Operations"):
//   instant  ADD COLUMN as the last column (10.3+) or anywhere (10.4+), not
//            AUTO_INCREMENT, not a stored generated column, with a constant default;
//            DROP COLUMN of a column in no index (10.4+); reordering columns (10.4+);
//            changing a default or a comment; renaming a column (10.3+); appending
//            members to an ENUM or SET (10.3+); widening a VARCHAR of no index within
//            its length-byte class (up to 255 bytes or over, 10.4+); the table's comment;
//            none of those on a table with a FULLTEXT index or ROW_FORMAT=COMPRESSED;
//   in place ADD and DROP of a secondary BTREE index (not the primary key, not
//            FULLTEXT or SPATIAL).
// Anything else (type changes, NULL/NOT NULL, charsets, the primary key, engine or row
// format, constraints) is left to the online copy. MySQL servers are never called
// native here.
//
// Thread-safety: pure function.
//
//   if (auto why = NativeReason(live, desired, version)) findings.push_back(…, *why);
#pragma once

#include <optional>
#include <string>

#include "schema/lint.h"

namespace ordo::schema {

// The reason the change from `live` to `desired` runs natively on `version`, or nullopt.
std::optional<std::string> NativeReason(const TableDef& live, const TableDef& desired,
                                        const ServerVersion& version);

}  // namespace ordo::schema
