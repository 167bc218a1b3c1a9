// MysqlStore: the copy and cutover claims' search (gates.h): the ordered arm's first
// claimable row, locked, unless a rare-arm row comes first and passes its exact
// re-check.
#include <algorithm>

#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"

namespace ordo::mysql {

Result<std::optional<OperationRecord>> MysqlStore::FindCandidate(sqlstore::Session& s,
                                                                 Claim claim) {
  if (claim == Claim::kCleanup) return SqlStore::FindCandidate(s, claim);
  const ClaimSearch& search = claim == Claim::kCopy ? copy_search_ : cutover_search_;
  auto before = [](const CandidateKey& a, const CandidateKey& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  };
  // The ordered arm's first claimable row (locked) and the first rare-arm probe rows.
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s.Query(search.first.text, search.first.params));
  std::optional<OperationRecord> ordered;
  CandidateKey ordered_key;  // its created_at as DATETIME text, comparable with the probe's
  std::vector<CandidateKey> rare;
  for (const auto& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 1));
    CandidateKey key{row[1 + kOperationCreatedAt].value_or(""), id};
    if (row[0] == "A") {
      ORDO_ASSIGN_OR_RETURN(OperationRecord op, sqlstore::DecodeOperation(dialect(), row, 1));
      ordered = std::move(op);
      ordered_key = key;
    } else {
      rare.push_back(key);
    }
  }
  std::sort(rare.begin(), rare.end(), before);
  // A probe row that comes first is claimed instead when it passes the exact re-check
  // (the ordered row then stays locked until this claim commits; other claims skip it).
  for (int page = 0; page < kMaxCandidatePages && !rare.empty(); ++page) {
    for (const CandidateKey& key : rare) {
      if (ordered && !before(key, ordered_key)) return ordered;
      sqlstore::SqlText lock = search.lock.With({db::SqlValue::Int(key.id)});
      ORDO_ASSIGN_OR_RETURN(db::SqlRows locked, s.Query(lock.text, lock.params));
      if (!locked.rows.empty()) {
        ORDO_ASSIGN_OR_RETURN(OperationRecord op,
                              sqlstore::DecodeOperation(dialect(), locked.rows[0]));
        return std::optional<OperationRecord>(std::move(op));
      }
    }
    if (rare.size() < static_cast<size_t>(kClaimBatch)) break;
    sqlstore::SqlText next = search.RareProbeAfter(rare.back());
    ORDO_ASSIGN_OR_RETURN(db::SqlRows more, s.Query(next.text, next.params));
    rare.clear();
    for (const auto& row : more.rows) {
      ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
      rare.push_back(CandidateKey{row[1].value_or(""), id});
    }
  }
  return ordered;
}

}  // namespace ordo::mysql
