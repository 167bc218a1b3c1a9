#include "db/postgres/pool.h"

namespace ordo {

PgPool::Handle::~Handle() {
  if (pool_ && conn_) pool_->Release(std::move(conn_));
}

Result<PgPool::Handle> PgPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Handle(this, std::move(conn));
    }
  }
  ORDO_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(dsn_, options_));
  return Handle(this, std::move(conn));
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  if (conn->broken() || conn->in_transaction()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

}  // namespace ordo
