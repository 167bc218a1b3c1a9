// MapPgError: the one place PostgreSQL errors become Status values (for the store's
// PostgreSQL sessions and anything else that talks to PostgreSQL through PgConnection).
//
// By SQLSTATE (https://www.postgresql.org/docs/15/errcodes-appendix.html):
//   40001 serialization_failure, 40P01 deadlock_detected, 40000,
//   55P03 lock_not_available (lock_timeout, NOWAIT)      → Aborted (retryable)
//   class 08 (connection), 57P01/57P02/57P03/57P05 (shutdown, crash, starting up,
//   idle timeout), 53300 too_many_connections, 40003, a lost connection
//                                                         → Unavailable (retryable)
//   57014 query_canceled (statement_timeout)              → Timeout (retryable)
//   23505 unique_violation, 23P01 exclusion_violation,
//   42P07 duplicate_table, 42P04 duplicate_database       → AlreadyExists
//   42P01 undefined_table, 3D000 no such database,
//   3F000 no such schema                                  → NotFound
//   23502 not_null, 23514 check, class 22 (bad data), 0A000, other class 42
//   (syntax, undefined column, …)                         → InvalidArgument
//   23503 foreign_key, 23001 restrict, 23000, 40002, 25P02 in a failed transaction,
//   28000/28P01 refused login, 42501 insufficient_privilege → FailedPrecondition
//   anything else                                          → Internal
// The codes follow MapMysqlError's: a refused login is FailedPrecondition, never
// retried; a missing table is NotFound, which the stores read as "no store yet".
// The message is "postgres error SQLSTATE: text" on one line, with any URL password
// redacted.
//
// Thread-safety: pure functions.
//
//   Status s = MapPgError("40P01", "deadlock detected");
//   s.code();                  // kAborted
//   s.retryable();             // true
//   IsPgError(s, "40P01");     // true
//   MapPgConnectError("… failed: FATAL:  28P01: password authentication failed …").code();
//                              // kFailedPrecondition
#pragma once

#include <string_view>

#include "ordo/status.h"

namespace ordo::db {

// Maps a server SQLSTATE and its message to a Status. `connection_lost` (libpq's
// PQstatus is CONNECTION_BAD after the failure) makes it Unavailable whatever the
// SQLSTATE; an empty SQLSTATE (an error libpq made up) then reads as 08006.
Status MapPgError(std::string_view sqlstate, std::string_view message,
                  bool connection_lost = false);

// Maps the text libpq reports for a connection attempt that failed (PQerrorMessage of
// a connection made with PQERRORS_VERBOSE, so that a server's refusal carries its
// SQLSTATE) the way MapPgError does; 08001 (Unavailable) when no server error is in
// it (refused, unreachable, timed out).
Status MapPgConnectError(std::string_view libpq_message);

// Whether `s` carries `sqlstate` as MapPgError wrote it (context added with
// WithContext included).
bool IsPgError(const Status& s, std::string_view sqlstate);

}  // namespace ordo::db
