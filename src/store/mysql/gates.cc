#include "store/mysql/gates.h"

#include <optional>

#include "store/sql/records.h"

namespace ordo::mysql {
namespace {

using sqlstore::SqlText;

// "(o.created_at, o.id) > key", spelled so the range optimizer uses it.
SqlText After(const CandidateKey& key) {
  return " AND (o.created_at > " + SqlText::Param(db::SqlValue::Text(key.created_at)) +
         " OR (o.created_at = " + SqlText::Param(db::SqlValue::Text(key.created_at)) +
         " AND o.id > " + SqlText::Param(db::SqlValue::Int(key.id)) + "))";
}

// The rare arms' probe: one SELECT whose OR'ed conditions each start with a state, so
// the (state, updated_at) index serves them as one multi-interval range (stale rows
// only, for the recovery arms), sorted afterwards (few rows).
SqlText Probe(const std::vector<SqlText>& rare, const std::optional<CandidateKey>& after,
              const std::string& columns) {
  sqlstore::ClaimArms any{rare};
  SqlText out = "SELECT " + columns +
                " FROM apply_operations o FORCE INDEX (apply_operations_heartbeat) WHERE " +
                any.Any();
  if (after) out += After(*after);
  return out + " ORDER BY o.created_at, o.id LIMIT " +
         SqlText::Param(db::SqlValue::Int(kClaimBatch));
}

}  // namespace

ClaimSearch::ClaimSearch(const sqlstore::ClaimArms& arms, const SqlText& ordered,
                         std::vector<SqlText> rare_arms)
    : rare(std::move(rare_arms)) {
  // The probe rows carry only id and created_at, in the operation columns' places
  // (kOperationColumns: id first, created_at at kOperationCreatedAt).
  std::string probe_columns = "'R', o.id";
  for (int i = 1; i < sqlstore::kOperationColumnCount; ++i)
    probe_columns += i == sqlstore::kOperationCreatedAt ? ", o.created_at" : ", NULL";
  first = "(SELECT 'A', " + std::string(sqlstore::kOperationColumns) +
          " FROM apply_operations o FORCE INDEX (apply_operations_claim) WHERE " + ordered +
          " ORDER BY o.created_at, o.id LIMIT 1 FOR UPDATE SKIP LOCKED) UNION ALL (" +
          Probe(rare, std::nullopt, probe_columns) + ")";
  lock = "SELECT " + std::string(sqlstore::kOperationColumns) + " FROM apply_operations o WHERE " +
         arms.Any() + " AND o.id = ? FOR UPDATE SKIP LOCKED";
}

SqlText ClaimSearch::RareProbeAfter(const CandidateKey& key) const {
  return Probe(rare, key, "o.id, o.created_at");
}

}  // namespace ordo::mysql
