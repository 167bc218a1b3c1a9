#include "db/mysql/pool.h"

namespace ordo {

MysqlPool::Handle::~Handle() {
  if (pool_ && conn_) pool_->Release(std::move(conn_));
}

Result<MysqlPool::Handle> MysqlPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Handle(this, std::move(conn));
    }
  }
  ORDO_ASSIGN_OR_RETURN(auto conn, MysqlConnection::Connect(dsn_, options_));
  return Handle(this, std::move(conn));
}

void MysqlPool::Release(std::unique_ptr<MysqlConnection> conn) {
  if (conn->broken()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

}  // namespace ordo
