// Predicates the store core's statements share, spelled once for every dialect.
//
// Thread-safety: pure functions.
//
//   std::string stop = RequestExists(dialect, "o.apply_id", "stop");
//   // EXISTS (SELECT 1 FROM control_requests r … WHERE r.apply_id = o.apply_id AND …)
#pragma once

#include <string>
#include <string_view>

#include "store/sql/session.h"

namespace ordo::sqlstore {

// "The apply of `apply_expr` has a `kind` request with one of `statuses`" (a quoted,
// comma-separated list).
std::string RequestExists(const Dialect& d, const std::string& apply_expr, const std::string& kind,
                          const std::string& statuses = "'pending'");

// "Operation `o` is idle for a stop": pending, failed_retryable, or parked without a
// live holder (no token, or a heartbeat older than `stale_before`, an SQL expression:
// the dialect's now_minus_micros with the staleness bound, or a named parameter).
std::string IdleForStop(std::string_view o, std::string_view stale_before);

// "Earlier sibling `e` failed and operation `o`'s on_failure excuses it" (continue; or
// pause once a release latched).
std::string FailureExcused(const Dialect& d);

// "Earlier sibling `e` holds back operation `o`'s swap": e is unfinished (not
// completed, and not a failure excused by o's on_failure). The cutover ordering gate,
// one sibling at a time.
std::string TurnHeldBackBy(const Dialect& d);

// "No earlier sibling of operation `o` holds back its swap" (TurnHeldBackBy): the
// cutover claim's ordering gate.
std::string CutoverTurnHasCome(const Dialect& d);

// SELECT e.id, and 1 when `held_back_by` (a predicate over `e` and `o`) holds, else 0,
// of every earlier sibling e of operation `o.id = ?` (bind the id), with the dialect's
// shared row lock: each sibling is read as committed once no other transaction writes
// it (a locking read waits for the writer) and stays so until commit, so a gate decided
// from the rows this returns still holds when the caller commits. Every earlier sibling
// is returned (the predicate is a column, not a filter: under READ COMMITTED a row the
// WHERE rejects is unlocked again).
std::string EarlierSiblingsSql(const Dialect& d, const std::string& held_back_by);

// begin_cutover's guarded UPDATE (uses {now}): the parked row of the live holder
// moves to cutting_over when it is still parked under that lease, no stop is pending
// and the apply is automatic or released by a cutover request. The ordering gate is
// not in it (MySQL refuses an UPDATE that reads its own table): the caller decides it
// first from EarlierSiblingsSql over TurnHeldBackBy. Bind: id, token.
std::string BeginCutoverSql(const Dialect& d);

// Completes the apply's pending cutover request once no operation of it is left to
// reach its swap (the request is served). Uses {now}; bind the apply id twice.
std::string CompleteServedCutoverSql();

// SELECT apply_id, external_id, state of the operations of other applies of one
// database and environment that may hold a deployment (DeploymentHolderPrefilterSql;
// HoldsDeployment decides). Bind: deployment, database, environment, the apply to
// leave out (0: none).
std::string DeploymentHolderCandidatesSql(const Dialect& d);

}  // namespace ordo::sqlstore
