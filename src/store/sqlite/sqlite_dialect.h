// The SQLite dialect of the control store, in one place: the versioned migrations
// (DDL) and how a timestamp is spelled. Other backends mirror these migrations in
// their own dialect file; docs/store-schema.md is the shared meaning.
//
// Timestamps are INTEGER microseconds since the epoch taken from the host clock: the
// database file is local, so the host clock is the database clock. The store stamps
// every write with one `now` per transaction, bound as a parameter.
//
// Thread-safety: constants and a pure function.
#pragma once

#include <string_view>
#include <vector>

#include "ordo/model.h"

namespace ordo::sqlite {

struct Migration {
  int version;
  std::string_view sql;  // one or more statements
};

// In ascending version order; never edit a released migration, append a new one.
const std::vector<Migration>& Migrations();

// The database clock: microseconds since the epoch.
Micros NowMicros();

}  // namespace ordo::sqlite
