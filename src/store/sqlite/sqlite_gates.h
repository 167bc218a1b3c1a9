// SQLite's candidate lists of the claims (SqlStore::CandidateList): the core's arms
// (store/sql/gates.h), each read from the index that serves it, merged in claim
// order. Each returns `id` then `created_at`, ordered by (created_at, id).
//
// The copy and cutover lists are one SELECT per arm merged in claim order (a compound
// SELECT, which SQLite runs as a MERGE): the arm whose rows sit in one state is read
// from the claim index (state, created_at, id) in claim order, the stale in-flight
// arms from the heartbeat index (state, updated_at), so with LIMIT 1 a claim reads up
// to the first claimable row of each arm instead of collecting and sorting every
// pending row. The cleanup list reads the rows of the applies that have ended and
// still have idle rows (found by a leapfrog over two indexes of apply ids) and the
// owed rows, so it reads neither the pending work of the applies in flight nor the
// settled history. The indexes named are migrations 4 and 5 and earlier ones.
//
// Thread-safety: pure functions.
#pragma once

#include "store/sql/gates.h"
#include "store/sql/sql_text.h"

namespace ordo::sqlite {

sqlstore::SqlText CopyCandidatesSql(const sqlstore::Gates& g);
sqlstore::SqlText CutoverCandidatesSql(const sqlstore::Gates& g);
sqlstore::SqlText CleanupCandidatesSql(const sqlstore::Gates& g);

}  // namespace ordo::sqlite
