#include "store/mysql/transaction.h"

namespace ordo::mysql {

Result<Transaction> Transaction::Begin(db::MysqlPool& pool) {
  ORDO_ASSIGN_OR_RETURN(db::MysqlPool::Handle handle, pool.Acquire());
  return Transaction(std::move(handle));
}

Transaction::Transaction(Transaction&& other) noexcept
    : handle_(std::move(other.handle_)), open_(other.open_) {
  other.handle_.reset();
  other.open_ = false;
}

Transaction::~Transaction() {
  if (!open_ || !handle_) return;
  // A connection whose rollback failed may still be inside the transaction: it must
  // not go back to the pool.
  if (!(*handle_)->Execute("ROLLBACK").ok()) (*handle_)->MarkBroken();
}

Status Transaction::CommitAfter(std::string_view sql, const std::vector<db::SqlValue>& params) {
  std::string script;
  size_t next = 0;
  for (char c : sql) {
    if (c != '?') {
      script += c;
      continue;
    }
    if (next >= params.size()) return InvalidArgument("CommitAfter: more ? than values");
    script += conn().Literal(params[next++]);
  }
  if (next != params.size()) return InvalidArgument("CommitAfter: more values than ?");
  script += ";COMMIT";
  Status s = (*handle_)->ExecuteScript(script);
  if (s.ok()) open_ = false;
  return s;
}

Status Transaction::Commit() {
  Status s = (*handle_)->Execute("COMMIT");
  if (s.ok()) open_ = false;  // otherwise the destructor rolls back what is left
  return s;
}

}  // namespace ordo::mysql
