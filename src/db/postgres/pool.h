// PgPool: a small pool of PgConnections to one server, for code that runs statements
// from several threads (the store's claims and writes).
//
// Acquire() hands out an idle connection or opens a new one; the handle returns it
// on destruction unless it broke or is still inside a transaction (a session left in
// BEGIN, or in a failed transaction block, would poison its next user), in which case
// it is closed. At most `max_idle` connections are kept; the others are closed.
//
// Thread-safety: all methods are thread-safe; a handle belongs to one thread.
//
//   PgPool pool(dsn, options, /*max_idle=*/8);
//   ORDO_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
//   ORDO_RETURN_IF_ERROR(conn->Execute("SELECT 1"));
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "db/postgres/connection.h"

namespace ordo {

class PgPool {
 public:
  class Handle {
   public:
    Handle(PgPool* pool, std::unique_ptr<PgConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = default;
    ~Handle();
    PgConnection* operator->() { return conn_.get(); }
    PgConnection& operator*() { return *conn_; }
    PgConnection* get() { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  PgPool(Dsn dsn, PgConnectOptions options, size_t max_idle = 8)
      : dsn_(std::move(dsn)), options_(std::move(options)), max_idle_(max_idle) {}

  // An idle or new connection; the errors of PgConnection::Connect otherwise
  // (Unavailable when the server cannot be reached).
  Result<Handle> Acquire();
  const Dsn& dsn() const { return dsn_; }

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  Dsn dsn_;
  PgConnectOptions options_;
  size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
};

}  // namespace ordo
