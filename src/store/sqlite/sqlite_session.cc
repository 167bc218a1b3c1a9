#include "store/sqlite/sqlite_session.h"

namespace ordo::sqlite {

Result<std::unique_ptr<WriteTxn>> WriteTxn::Begin(std::mutex& mu, SqliteDb* db, Micros now) {
  std::unique_ptr<WriteTxn> txn(new WriteTxn(mu, db));
  ORDO_RETURN_IF_ERROR(txn->txn_.BeginImmediate());
  db->SetNow(now);
  return txn;
}

}  // namespace ordo::sqlite
