// MysqlPool: a small pool of MysqlConnections to one server, for code that runs
// statements from several threads (store claims, copy threads).
//
// Acquire() hands out an idle connection or opens a new one; the handle returns it
// on destruction unless it broke. Connections idle beyond `max_idle` are closed.
//
// Thread-safety: all methods are thread-safe; a handle belongs to one thread.
//
//   MysqlPool pool(dsn, options, /*max_idle=*/8);
//   ORDO_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
//   ORDO_RETURN_IF_ERROR(conn->Execute("DO 1"));
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "db/mysql/connection.h"

namespace ordo {

class MysqlPool {
 public:
  class Handle {
   public:
    Handle(MysqlPool* pool, std::unique_ptr<MysqlConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = default;
    ~Handle();
    MysqlConnection* operator->() { return conn_.get(); }
    MysqlConnection& operator*() { return *conn_; }
    MysqlConnection* get() { return conn_.get(); }

   private:
    MysqlPool* pool_;
    std::unique_ptr<MysqlConnection> conn_;
  };

  MysqlPool(Dsn dsn, MysqlConnectOptions options, size_t max_idle = 8)
      : dsn_(std::move(dsn)), options_(std::move(options)), max_idle_(max_idle) {}

  // An idle or new connection; Unavailable when the server cannot be reached.
  Result<Handle> Acquire();
  const Dsn& dsn() const { return dsn_; }

 private:
  void Release(std::unique_ptr<MysqlConnection> conn);

  Dsn dsn_;
  MysqlConnectOptions options_;
  size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<MysqlConnection>> idle_;
};

}  // namespace ordo
