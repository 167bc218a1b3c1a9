// The gates of docs/model.md as SQL, written once for every backend: each claim arm's exact
// predicate over `o` (apply_operations), the housekeeping jobs' candidate queries and
// the guarded statements that repeat a gate. What differs between databases comes
// from the Dialect (the clock, the lock clauses, index hints); every value is a bound
// parameter (SqlText).
//
// How a backend finds a claim's first row in (created_at, id) order is its own
// strategy (SqlStore::FindCandidate): the predicates here are what it must evaluate.
// Every arm holds rows of its own states, so a row belongs to one arm at most and the
// arms of a claim may be listed with UNION ALL.
//
// Thread-safety: immutable once built.
//
//   Gates g(dialect, options);
//   SqlText q = "SELECT o.id FROM apply_operations o WHERE " + g.copy.Any();
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ordo/store.h"
#include "store/sql/session.h"
#include "store/sql/sql_text.h"

namespace ordo::sqlstore {

// The arms of one claim, each an exact predicate over `o`.
struct ClaimArms {
  std::vector<SqlText> arms;
  // "(arm OR arm …)".
  SqlText Any() const;
  // SELECT o.id, o.created_at of every row of the arms, in (created_at, id) order, not
  // locked (the generic candidate list).
  SqlText List() const;
};

class Gates {
 public:
  Gates(const Dialect& d, const StoreOptions& options);

  // ---- the terms the gates compare against ----
  // The clock minus the staleness window: a heartbeat older than this is stale.
  SqlText StaleBefore() const;
  // The clock minus the retry freshness window.
  SqlText FreshAfter() const;
  SqlText Budget() const;

  // ---- the arms (docs/model.md, "Claims") ----
  SqlText ArmA() const;  // copy: start a pending row whose ordering gate passed
  SqlText ArmB() const;  // copy: recover a stale in-flight row
  SqlText ArmC() const;  // copy: resume a stopped row of a started apply
  SqlText ArmD() const;  // copy: redispatch a retry, or recover an abandoned one
  SqlText Arm1() const;  // cutover: start a parked row whose turn has come
  SqlText Arm2() const;  // cutover: recover a stale swap or revert window
  // Cleanup: idle rows of an apply that ended, held by no live lease, that no other
  // claim hands out; and rows whose target cleanup is owed.
  SqlText IdleEnded() const;
  SqlText Owed() const;
  // Supersets of arms B, C and D that need no lookup beyond the start request (a
  // backend may list them cheaply and re-check a row exactly before taking it).
  SqlText ProbeB() const;
  SqlText ProbeC() const;
  SqlText ProbeD() const;

  // "The apply of `apply_expr` has a `kind` request with one of `statuses`".
  std::string RequestExists(const std::string& apply_expr, const std::string& kind,
                            const std::string& statuses = "'pending'") const;

  ClaimArms copy;     // A–D
  ClaimArms cutover;  // 1–2
  ClaimArms cleanup;  // idle-ended, owed

  // SELECT r.apply_id of applies stop reconciliation may take, ascending.
  SqlText stop_candidates;
  // SELECT a.id FROM applies a … AND a.id = ? (bind the id): the apply may still be
  // taken (append the dialect's skip-locked clause to lock it).
  SqlText stop_recheck;
  // SELECT a.id, a.attempt of applies whose retries expired, ascending; and the same
  // for `a.id = ?` (bind the id), to re-check and lock one.
  SqlText expiry_candidates;
  SqlText expiry_recheck;
  // SELECT d.id of applies RederiveUnheldApplies moves, ascending: not settled, no
  // operation under a live lease, stored state other than the one its operations
  // derive to (DerivedApplyStateSql), not an admitted retry.
  SqlText rederive_candidates;

  // Arm A's guarded UPDATE (pending → running, new lease); a stop committed after the
  // row was found still wins. It reads no other operation row: MySQL refuses an UPDATE
  // that reads its own table. Bind: owner, token, id.
  SqlText start_pending;
  // Arm A's ordering gate for a `barrier` row, whose gate is not monotone (an earlier
  // sibling past the barrier can still fail, revert or be stopped): the earlier
  // siblings of the row `o.id = ?`, share-locked, each with 1 when it holds the row
  // back (EarlierSiblingsSql over StartHeldBackBy). Bind: id.
  SqlText start_siblings;
  // begin_cutover's ordering gate the same way: the earlier siblings of `o.id = ?`,
  // share-locked, each with 1 when it holds back the row's swap (EarlierSiblingsSql over
  // TurnHeldBackBy). Bind: id.
  SqlText turn_siblings;

 private:
  // Earlier sibling e is failed and o's on_failure excuses it.
  std::string Exempt() const;
  // Earlier sibling e holds back the start of pending row o (arm A, one sibling).
  std::string StartHeldBackBy() const;
  std::string Stop(const std::string& o) const;

  const Dialect& d_;
  const StoreOptions options_;
};

}  // namespace ordo::sqlstore
