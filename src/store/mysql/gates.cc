#include "store/mysql/gates.h"

#include <optional>
#include <utility>

#include "store/mysql/rows.h"

namespace ordo::mysql {
namespace {

// SQL text with its bound parameters, concatenated in order.
struct Sql {
  std::string text;
  std::vector<SqlValue> params;

  Sql() = default;
  Sql(const char* t) : text(t) {}         // NOLINT: implicit by design
  Sql(std::string t) : text(std::move(t)) {}  // NOLINT: implicit by design
  static Sql Param(SqlValue v) {
    Sql s("?");
    s.params.push_back(std::move(v));
    return s;
  }
  Sql& operator+=(const Sql& o) {
    text += o.text;
    params.insert(params.end(), o.params.begin(), o.params.end());
    return *this;
  }
  GateQuery Query() const { return {text, params}; }
};

Sql operator+(Sql a, const Sql& b) { return a += b; }
Sql operator+(Sql a, const char* b) { return a += Sql(b); }
Sql operator+(Sql a, const std::string& b) { return a += Sql(b); }
Sql operator+(const char* a, const Sql& b) { return Sql(a) += b; }
Sql operator+(const std::string& a, const Sql& b) { return Sql(a) += b; }

constexpr const char* kTerminal = "('completed','failed','stopped','cancelled','reverted')";

class Builder {
 public:
  explicit Builder(const StoreOptions& o) : o_(o) {}

  // NOW(6) minus the staleness window: rows whose heartbeat is older are stale.
  Sql StaleBefore() const {
    return "(NOW(6) - INTERVAL " + Sql::Param(SqlValue::Int(o_.lease_staleness_micros)) +
           " MICROSECOND)";
  }
  Sql FreshAfter() const {
    return "(NOW(6) - INTERVAL " + Sql::Param(SqlValue::Int(o_.retry_freshness_micros)) +
           " MICROSECOND)";
  }
  Sql Budget() const { return Sql::Param(SqlValue::Int(o_.retry_budget)); }

  static std::string Stop(const std::string& o) {
    return GateParams::RequestExists(o + ".apply_id", "stop");
  }
  static std::string Latch(const std::string& o) {
    return GateParams::RequestExists(o + ".apply_id", "release", "'pending','completed'");
  }
  // Earlier sibling e is failed and o's on_failure excuses it.
  static std::string Exempt() {
    return "(e.state = 'failed' AND (o.on_failure = 'continue' OR (o.on_failure = 'pause' AND " +
           Latch("o") + ")))";
  }
  static std::string EarlierBlocking(const std::string& blocks) {
    return "EXISTS (SELECT 1 FROM apply_operations e WHERE e.apply_id = o.apply_id AND "
           "e.id < o.id AND " +
           blocks + ")";
  }

  // ---- copy claim arms (model.md A–D) ----
  Sql ArmA() const {
    // Unknown policies fail closed to rolling; unknown on_failure to halt.
    std::string blocks = "o.cutover_policy <> 'parallel' AND NOT " + Exempt() +
                         " AND NOT (CASE WHEN o.cutover_policy = 'barrier' THEN e.state IN "
                         "('waiting_for_cutover','cutting_over','revert_window','completed') "
                         "ELSE e.state = 'completed' END)";
    return "(o.state = 'pending' AND NOT " + Stop("o") + " AND NOT " + EarlierBlocking(blocks) +
           ")";
  }
  Sql ArmB() const {
    return "(o.state IN ('running','waiting_for_cutover','cutting_over','revert_window',"
           "'resuming') AND o.updated_at < " +
           StaleBefore() +
           " AND NOT (o.state = 'waiting_for_cutover' AND (o.lease_token IS NULL OR "
           "(o.cutover_policy IN ('barrier','parallel') AND EXISTS (SELECT 1 FROM applies a "
           "WHERE a.id = o.apply_id AND a.operation_count > 1)))))";
  }
  Sql ArmC() const {
    return "(o.state = 'stopped' AND " + GateParams::RequestExists("o.apply_id", "start") +
           " AND NOT " + Stop("o") + ")";
  }
  Sql ArmD() const {
    return "(o.state = 'failed_retryable' AND EXISTS (SELECT 1 FROM applies a WHERE a.id = "
           "o.apply_id AND ((a.state = 'failed_retryable' AND a.attempt < " +
           Budget() + " AND COALESCE(a.failed_at, a.updated_at) >= " + FreshAfter() +
           " AND NOT " + Stop("o") +
           ") OR (a.state NOT IN ('failed_retryable','stopped','completed','failed',"
           "'cancelled','reverted') AND a.updated_at < " +
           StaleBefore() + " AND o.updated_at < " + StaleBefore() + "))))";
  }

  // ---- cutover claim arms (1–2) ----
  Sql Arm1() const {
    std::string released =
        "((o.cutover_policy IN ('barrier','parallel') AND EXISTS (SELECT 1 FROM applies a "
        "WHERE a.id = o.apply_id AND a.defer_cutover = 0 AND a.operation_count > 1)) OR " +
        GateParams::RequestExists("o.apply_id", "cutover") + ")";
    return "(o.state = 'waiting_for_cutover' AND (o.lease_token IS NULL OR o.updated_at < " +
           StaleBefore() + ") AND " + released + " AND NOT " + Stop("o") + " AND " +
           GateParams::CutoverTurnHasCome() + ")";
  }
  Sql Arm2() const {
    return "(o.state IN ('cutting_over','revert_window') AND o.updated_at < " + StaleBefore() +
           ")";
  }

  // The arms' candidates merged in (created_at, id) order. With a limit, each arm
  // and the merge take only the first `limit` rows: the first N of a union are among
  // the first N of each part, and each part stops early on its ordered index.
  static Sql Merge(const std::vector<Sql>& arms, std::optional<int> limit) {
    Sql out = "SELECT c.id FROM (";
    for (size_t i = 0; i < arms.size(); ++i) {
      if (i) out += " UNION ALL ";
      out += "(SELECT o.id, o.created_at FROM apply_operations o WHERE " + arms[i] +
             " ORDER BY o.created_at, o.id";
      if (limit) out += " LIMIT " + Sql::Param(SqlValue::Int(*limit));
      out += ")";
    }
    out += ") c ORDER BY c.created_at, c.id";
    if (limit) out += " LIMIT " + Sql::Param(SqlValue::Int(*limit));
    return out;
  }

  static Sql Recheck(const Sql& arms) {
    return std::string("SELECT NOW(6), ") + kOperationColumns +
           " FROM apply_operations o WHERE (" + arms + ") AND o.id = ? FOR UPDATE SKIP LOCKED";
  }

 private:
  const StoreOptions& o_;
};

}  // namespace

GateQuery GateQuery::With(std::vector<SqlValue> extra) const {
  GateQuery q = *this;
  q.params.insert(q.params.end(), extra.begin(), extra.end());
  return q;
}

std::string GateParams::RequestExists(const std::string& apply_expr, const std::string& kind,
                                      const std::string& statuses) {
  return "EXISTS (SELECT 1 FROM control_requests r WHERE r.apply_id = " + apply_expr +
         " AND r.kind = '" + kind + "' AND r.status IN (" + statuses + "))";
}

std::string GateParams::CutoverTurnHasCome() {
  return "NOT " + Builder::EarlierBlocking("e.state <> 'completed' AND NOT " + Builder::Exempt());
}

GateParams::GateParams(const StoreOptions& opts) : options(opts) {
  Builder b(options);
  stale = ("updated_at < " + b.StaleBefore()).Query();
  std::vector<Sql> copy_arms = {b.ArmA(), b.ArmB(), b.ArmC(), b.ArmD()};
  std::vector<Sql> cutover_arms = {b.Arm1(), b.Arm2()};
  copy_candidates = Builder::Merge(copy_arms, kClaimBatch).Query();
  cutover_candidates = Builder::Merge(cutover_arms, kClaimBatch).Query();
  all_copy_candidates = Builder::Merge(copy_arms, std::nullopt).Query();
  all_cutover_candidates = Builder::Merge(cutover_arms, std::nullopt).Query();
  copy_recheck =
      Builder::Recheck(b.ArmA() + " OR " + b.ArmB() + " OR " + b.ArmC() + " OR " + b.ArmD())
          .Query();
  cutover_recheck = Builder::Recheck(b.Arm1() + " OR " + b.Arm2()).Query();

  Sql idle = "(o.state IN ('pending','failed_retryable') OR (o.state = 'waiting_for_cutover' AND "
             "(o.lease_token IS NULL OR o.updated_at < " +
             b.StaleBefore() + ")))";
  idle_for_stop = idle.Query();
  Sql quiet = "EXISTS (SELECT 1 FROM control_requests r WHERE r.apply_id = a.id AND r.kind = "
              "'stop' AND r.status = 'pending') AND NOT EXISTS (SELECT 1 FROM apply_operations o "
              "WHERE o.apply_id = a.id AND o.state NOT IN " +
              std::string(kTerminal) + " AND NOT " + idle + ")";
  stop_candidates =
      ("SELECT r.apply_id FROM control_requests r WHERE r.kind = 'stop' AND r.status = "
       "'pending' AND NOT EXISTS (SELECT 1 FROM apply_operations o WHERE o.apply_id = "
       "r.apply_id AND o.state NOT IN " +
       std::string(kTerminal) + " AND NOT " + idle + ") ORDER BY r.apply_id")
          .Query();
  stop_recheck =
      ("SELECT a.id FROM applies a WHERE " + quiet + " AND a.id = ? FOR UPDATE SKIP LOCKED")
          .Query();
  Sql expired = "a.state = 'failed_retryable' AND (a.attempt >= " + b.Budget() +
                " OR COALESCE(a.failed_at, a.updated_at) < " + b.FreshAfter() + ")";
  expiry_candidates = ("SELECT a.id, a.attempt FROM applies a WHERE " + expired + " ORDER BY a.id")
                          .Query();
  expiry_recheck = ("SELECT a.id, a.attempt FROM applies a WHERE " + expired +
                    " AND a.id = ? FOR UPDATE SKIP LOCKED")
                       .Query();
}

}  // namespace ordo::mysql
