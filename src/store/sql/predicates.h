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

// "No earlier sibling of operation `o` is unfinished" (a failure excused by o's
// on_failure does not count): the cutover claim's ordering gate.
std::string CutoverTurnHasCome(const Dialect& d);

// begin_cutover's guarded UPDATE (uses {now}): the parked row of the live holder
// moves to cutting_over when every cutover gate holds. Bind: id, token.
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
