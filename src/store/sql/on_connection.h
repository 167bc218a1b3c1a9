// Store-core sessions (store/sql/session.h) over a server connection — MariaDB's
// MysqlConnection or PostgreSQL's PgConnection, which run statements alike — written
// once for the server backends. A backend names only how an INSERT's new id comes back
// (`Ids::InsertId(conn, sql, params)`) and, for its transactions, Begin and Commit.
//
// Thread-safety: a session belongs to the thread that opened it.
//
//   using ReadSession = sqlstore::HeldSession<MysqlPool::Handle, MysqlIds>;
//   auto s = std::make_unique<ReadSession>(pool.Acquire().value());
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/session.h"

namespace ordo::sqlstore {

// The statements of a store-core session (Base: Session or Transaction), run on the
// connection Self::conn() returns.
template <typename Base, typename Self, typename Ids>
class OnConnection : public Base {
 public:
  Result<uint64_t> Execute(std::string_view sql, const std::vector<db::SqlValue>& params) override {
    return Conn().Execute(sql, params);
  }
  Result<db::SqlRows> Query(std::string_view sql,
                            const std::vector<db::SqlValue>& params) override {
    return Conn().Query(sql, params);
  }
  Result<int64_t> InsertId(std::string_view sql, const std::vector<db::SqlValue>& params) override {
    return Ids::InsertId(Conn(), sql, params);
  }

 private:
  auto& Conn() { return static_cast<Self*>(this)->conn(); }
};

// A session outside a transaction (each statement on its own) on a connection it
// holds: a pool's handle (back to the pool with the session), or a pointer to one the
// caller owns (the migration runner's, inside its lock).
template <typename Handle, typename Ids>
class HeldSession final : public OnConnection<Session, HeldSession<Handle, Ids>, Ids> {
 public:
  explicit HeldSession(Handle conn) : conn_(std::move(conn)) {}
  auto& conn() { return *conn_; }

 private:
  Handle conn_;
};

}  // namespace ordo::sqlstore
