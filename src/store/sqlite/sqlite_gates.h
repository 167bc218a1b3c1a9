// The gates of model.md as SQLite queries: the candidate queries the claims run (first
// row = the claim's pick) and the guard fragments their UPDATEs repeat. Each returns
// `id` first (the claims' queries then the arm and created_at), the claims' ordered by
// (created_at, id); parameters :stale_before, :budget and :fresh_after are bound by
// SqliteStore::BindGateParams.
//
// The copy and cutover candidate queries are one SELECT per arm merged in claim order
// (a compound SELECT, which SQLite runs as a MERGE): the arm whose rows sit in one
// state is read from the claim index (state, created_at, id) in claim order, the
// stale in-flight arms from the heartbeat index (state, updated_at), so with LIMIT 1
// a claim reads up to the first claimable row of each arm instead of collecting and
// sorting every pending row. The cleanup candidate query reads the rows of the applies
// that have ended and still have idle rows (found by a leapfrog over two indexes of
// apply ids) and the owed rows, so it reads neither the pending work of the applies
// in flight nor the settled history. Without LIMIT each lists every candidate
// (GateCandidates). The indexes named are migrations 4 and 5 and earlier ones.
//
// Thread-safety: immutable strings built once.
#pragma once

#include <string>

namespace ordo::sqlite {

// SELECT id, arm ('A'..'D'), created_at of copy-claimable operations.
const std::string& CopyCandidatesSql();
// SELECT id, arm ('1'/'2'), created_at of cutover-claimable operations.
const std::string& CutoverCandidatesSql();
// SELECT id, arm ('I' idle row of an ended apply, 'O' owed cleanup), created_at of
// operations the cleanup claim may take.
const std::string& CleanupCandidatesSql();
// SELECT id of applies stop reconciliation may take.
const std::string& StopCandidatesSql();
// SELECT id, attempt of applies whose retries expired.
const std::string& ExpiryCandidatesSql();
// SELECT id of applies RederiveUnheldApplies moves: not settled, no live lease, stored
// state other than the one its operations derive to (DeriveApplyState, in SQL).
const std::string& RederiveCandidatesSql();

// "a `kind` request with one of `statuses` exists for the apply `apply_expr`".
std::string RequestExistsSql(const std::string& apply_expr, const std::string& kind,
                             const std::string& statuses = "'pending'");
// "No live lease holds operation `o`" for the cleanup claim: no token, or a stale
// heartbeat.
std::string CleanupUnheldSql(const std::string& o);
// "Operation `o` was failed by retry expiry and its target cleanup is still owed".
std::string CleanupOwedSql(const std::string& o);

}  // namespace ordo::sqlite
