// The gates of model.md as MariaDB/MySQL queries: the candidate queries of the claims,
// the per-row re-checks that lock a candidate, and the guard fragments their UPDATEs
// repeat. The SQL mirrors the SQLite backend's gates predicate for predicate; what
// differs is how candidates are found so that every gate is an index lookup:
//
//   - each arm has its own candidate query on the index that serves it (pending,
//     stopped and failed_retryable rows by (state, created_at, id); stale rows by
//     (state, updated_at), so live rows are never read), and the arms' first rows
//     are merged in (created_at, id) order;
//   - a candidate is then locked alone, by primary key, with FOR UPDATE SKIP LOCKED
//     and every arm re-checked against the newest committed row, so a claim never
//     holds locks on rows it does not take.
//
// Staleness and freshness are computed from the database clock (NOW(6)) inside each
// statement. All values are bound parameters; a GateQuery carries its SQL and its
// parameters in order.
//
// Thread-safety: immutable values built once per store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/mysql/connection.h"
#include "ordo/store.h"

namespace ordo::mysql {

struct GateQuery {
  std::string sql;
  std::vector<SqlValue> params;

  // A copy with `extra` appended to the parameters (for trailing `?`s).
  GateQuery With(std::vector<SqlValue> extra) const;
};

// How many rows of the rare arms a claim lists at a time.
inline constexpr int kClaimBatch = 8;

// A candidate's place in the claim order.
struct CandidateKey {
  std::string created_at;  // DATETIME(6) text
  int64_t id = 0;
};

// The queries of one claim (copy or cutover).
//
// Each claim has one "ordered" arm whose rows all sit in one state (copy: A, pending;
// cutover: 1, waiting_for_cutover), so the (state, created_at, id) index yields them in
// claim order: a locking SELECT walks that index, skips rows other transactions hold,
// evaluates the gates on each row and stops at the first that passes (rows that fail
// are unlocked again under READ COMMITTED). FORCE INDEX keeps it that way: a plan that
// sorted instead would lock every matching row before the LIMIT.
//
// The other arms (stale recovery, resume, retry) are rare. The same statement also
// lists, without locking them, the first rows of a cheap superset of those arms; only
// when one of them comes before the ordered arm's row is it locked and re-checked
// exactly (`lock`).
struct ClaimGates {
  // Each arm's exact predicate over `o` (apply_operations), with its parameters.
  std::vector<GateQuery> arms;
  // Every candidate, in order: SELECT id, created_at (for GateCandidates).
  GateQuery all;
  // One statement, two kinds of rows, told apart by the first column:
  //   'A', NOW(6), the apply's external id, <operation columns>: the first claimable
  //        row of the ordered arm, locked (at most one row);
  //   'R', NULL, NULL, <operation columns, only id and created_at set>: the first
  //        kClaimBatch rows of the rare-arm probe, in order, not locked.
  GateQuery first;
  // The rare-arm probe after `key`: SELECT id, created_at, first kClaimBatch rows.
  GateQuery RareProbeAfter(const CandidateKey& key) const;
  // SELECT NOW(6), the apply's external id, <operation columns> of the row `o.id = ?`
  // (appended: With({id})) when it is claimable under any arm and no other transaction
  // holds it, locking it.
  GateQuery lock;

  std::vector<GateQuery> rare;  // the probe's predicates
};

// Every gate query of one store, built from its options.
struct GateParams {
  explicit GateParams(const StoreOptions& options);

  ClaimGates copy;     // arms A–D
  ClaimGates cutover;  // arms 1–2
  // SELECT id, created_at of operations the cleanup claim may take, in (created_at,
  // id) order, not locked.
  GateQuery cleanup_candidates;
  // SELECT NOW(6), the apply's external id, <operation columns> of the row `o.id = ?`
  // (appended: With({id})) when the cleanup claim may take it and no other
  // transaction holds it, locking it.
  GateQuery cleanup_lock;
  // SELECT apply_id of applies stop reconciliation may take, ascending.
  GateQuery stop_candidates;
  // SELECT id of the apply `a.id = ?` (bind the id) when it still may be taken,
  // locking its row (SKIP LOCKED).
  GateQuery stop_recheck;
  // SELECT id, attempt of applies whose retries expired, ascending.
  GateQuery expiry_candidates;
  // SELECT id, attempt of the apply `a.id = ?` when it is still expired, locking it
  // (SKIP LOCKED).
  GateQuery expiry_recheck;
  // SELECT id of applies RederiveUnheldApplies moves, ascending: not settled, no
  // operation under a live lease, stored state other than the one its operations
  // derive to (DeriveApplyState in SQL), not an admitted retry.
  GateQuery rederive_candidates;

  // Arm A's guarded UPDATE (pending → running, new lease) that a stop committed after
  // the row was locked still wins. Bind: now, owner, token, now, now, id.
  GateQuery start_pending;
  // The same transition for a `barrier` row, whose gate is not monotone (an earlier
  // sibling past the barrier can still fail, revert or be stopped): the whole arm A
  // is repeated, after `lock_earlier_siblings` pinned the siblings' states. Bind as
  // start_pending.
  GateQuery start_pending_barrier;
  // SELECT the earlier siblings of (apply_id = ?, id < ?) LOCK IN SHARE MODE: waits for
  // any transaction writing one of them and keeps them unchanged until commit.
  GateQuery lock_earlier_siblings;

  // "The row is stale": `updated_at < NOW(6) - staleness`, a fragment with its
  // parameter for the guards of UPDATEs on one table.
  GateQuery stale;
  // "The apply of `apply_expr` has a `kind` request with one of `statuses`".
  static std::string RequestExists(const std::string& apply_expr, const std::string& kind,
                                   const std::string& statuses = "'pending'");
  // The cutover ordering gate for alias `o`: no earlier sibling is unfinished (a
  // failure excused by o's on_failure does not count). No parameters.
  static std::string CutoverTurnHasCome();

  StoreOptions options;
};

}  // namespace ordo::mysql
