// ConnectionPool: a small pool of connections to one server, for code that runs
// statements from several threads (store claims and writes, copy threads). MysqlPool
// and PgPool are this template over their client's connection.
//
// Acquire() hands out an idle connection or opens a new one (Conn::Connect); the
// handle gives it back on destruction unless the connection says it cannot be reused
// (Conn::reusable(): broken, or left inside a transaction), in which case it is
// closed. At most `max_idle` connections are kept; the others are closed.
//
// Thread-safety: all methods are thread-safe; a handle belongs to one thread.
//
//   MysqlPool pool(dsn, options, /*max_idle=*/8);
//   ORDO_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
//   ORDO_RETURN_IF_ERROR(conn->Execute("DO 1"));
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "db/dsn.h"
#include "ordo/status.h"

namespace ordo::db {

template <typename Conn, typename Options>
class ConnectionPool {
 public:
  class Handle {
   public:
    Handle(ConnectionPool* pool, std::unique_ptr<Conn> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = default;
    ~Handle() {
      if (pool_ && conn_) pool_->Release(std::move(conn_));
    }
    Conn* operator->() { return conn_.get(); }
    Conn& operator*() { return *conn_; }
    Conn* get() { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  ConnectionPool(Dsn dsn, Options options, size_t max_idle = 8)
      : dsn_(std::move(dsn)), options_(std::move(options)), max_idle_(max_idle) {}

  // An idle or new connection; the errors of Conn::Connect otherwise (Unavailable
  // when the server cannot be reached).
  Result<Handle> Acquire() {
    {
      MutexLock lock(&mu_);
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return Handle(this, std::move(conn));
      }
    }
    ORDO_ASSIGN_OR_RETURN(auto conn, Conn::Connect(dsn_, options_));
    return Handle(this, std::move(conn));
  }
  const Dsn& dsn() const { return dsn_; }

 private:
  void Release(std::unique_ptr<Conn> conn) {
    if (!conn->reusable()) return;
    MutexLock lock(&mu_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
  }

  Dsn dsn_;
  Options options_;
  size_t max_idle_;
  Mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_ ORDO_GUARDED_BY(mu_);
};

}  // namespace ordo::db
