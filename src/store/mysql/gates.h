// MariaDB's search for a claim's row (MysqlStore::FindCandidate): the core's arms
// (store/sql/gates.h) walked so that every gate is an index lookup and a claim never
// holds locks on rows it does not take.
//
// Each claim has one "ordered" arm whose rows all sit in one state (copy: A, pending;
// cutover: 1, waiting_for_cutover), so the (state, created_at, id) index yields them in
// claim order: a locking SELECT walks that index, skips rows other transactions hold,
// evaluates the gates on each row and stops at the first that passes (rows that fail
// are unlocked again under READ COMMITTED). FORCE INDEX keeps it that way: a plan that
// sorted instead would lock every matching row before the LIMIT.
//
// The other arms (stale recovery, resume, retry) are rare. The same statement also
// lists, without locking them, the first rows of a cheap superset of those arms (the
// probes, on the (state, updated_at) index, so live rows are never read); only when
// one of them comes before the ordered arm's row is it locked by primary key with FOR
// UPDATE SKIP LOCKED and re-checked exactly (`lock`).
//
// Thread-safety: immutable values built once per store.
#pragma once

#include <string>
#include <vector>

#include "store/sql/gates.h"
#include "store/sql/sql_text.h"

namespace ordo::mysql {

// How many rows of the rare arms a claim lists at a time.
inline constexpr int kClaimBatch = 8;

// A candidate's place in the claim order.
struct CandidateKey {
  std::string created_at;  // DATETIME(6) text
  int64_t id = 0;
};

// The statements of one claim's search (copy or cutover).
struct ClaimSearch {
  ClaimSearch(const sqlstore::ClaimArms& arms, const sqlstore::SqlText& ordered,
              std::vector<sqlstore::SqlText> rare);

  // One statement, two kinds of rows, told apart by the first column:
  //   'A', <operation columns>: the first claimable row of the ordered arm, locked (at
  //        most one row);
  //   'R', <operation columns, only id and created_at set>: the first kClaimBatch rows
  //        of the rare-arm probe, in order, not locked.
  sqlstore::SqlText first;
  // The rare-arm probe after `key`: SELECT id, created_at, first kClaimBatch rows.
  sqlstore::SqlText RareProbeAfter(const CandidateKey& key) const;
  // SELECT <operation columns> of the row `o.id = ?` (appended: With({id})) when it is
  // claimable under any arm and no other transaction holds it, locking it.
  sqlstore::SqlText lock;

  std::vector<sqlstore::SqlText> rare;  // the probe's predicates
};

}  // namespace ordo::mysql
