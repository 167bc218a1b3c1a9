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

// Every gate query of one store, built from its options.
// How many candidates a claim lists before locking them one by one: enough that
// concurrent claimers, each skipping the rows the others hold, still find one.
inline constexpr int kClaimBatch = 64;

struct GateParams {
  explicit GateParams(const StoreOptions& options);

  // Claim candidates, the first kClaimBatch in (created_at, id) order: SELECT id.
  GateQuery copy_candidates;
  GateQuery cutover_candidates;
  // The same without a limit, for GateCandidates.
  GateQuery all_copy_candidates;
  GateQuery all_cutover_candidates;
  // SELECT NOW(6), <operation columns> of the row `o.id = ?` (bind the id) when it is
  // still claimable, locking it; no row when it is not, or locked by someone else.
  GateQuery copy_recheck;
  GateQuery cutover_recheck;
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
  // "Operation `o` is idle for a stop": pending, failed_retryable, or parked without
  // a live holder. A fragment with its parameter.
  GateQuery idle_for_stop;

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
