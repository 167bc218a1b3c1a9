#include "store/mysql/gates.h"

#include <optional>
#include <utility>

#include "store/derived_state_sql.h"
#include "store/mysql/rows.h"
#include "store/sql/predicates.h"

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
    // Unknown policies fail closed to rolling; unknown on_failure to halt. The policy
    // test stands outside the sibling subquery, so a `parallel` row (no ordering gate)
    // never runs it: AND stops at its first false operand.
    std::string blocks = "NOT " + Exempt() +
                         " AND NOT (CASE WHEN o.cutover_policy = 'barrier' THEN e.state IN "
                         "('waiting_for_cutover','cutting_over','revert_window','completed') "
                         "ELSE e.state = 'completed' END)";
    return "(o.state = 'pending' AND NOT " + Stop("o") + " AND NOT (o.cutover_policy <> 'parallel' AND " +
           EarlierBlocking(blocks) + "))";
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

  // ---- the copy claim's rare-arm probes: supersets of B, C and D that need no lookup
  // beyond the start request, re-checked exactly when a row is locked ----
  Sql ProbeB() const {
    return "(o.state IN ('running','waiting_for_cutover','cutting_over','revert_window',"
           "'resuming') AND o.updated_at < " +
           StaleBefore() +
           " AND NOT (o.state = 'waiting_for_cutover' AND o.lease_token IS NULL))";
  }
  static Sql ProbeC() {
    return "(o.state = 'stopped' AND " + GateParams::RequestExists("o.apply_id", "start") + ")";
  }
  static Sql ProbeD() { return "(o.state = 'failed_retryable')"; }

  // ---- cutover claim arms (1–2) ----
  Sql Arm1() const {
    // Automatic unless the apply was started with defer_cutover (any policy, any number
    // of operations: the eligibility of begin_cutover), or released by a cutover request.
    std::string released =
        "(EXISTS (SELECT 1 FROM applies a WHERE a.id = o.apply_id AND a.defer_cutover = 0) OR " +
        GateParams::RequestExists("o.apply_id", "cutover") + ")";
    return "(o.state = 'waiting_for_cutover' AND (o.lease_token IS NULL OR o.updated_at < " +
           StaleBefore() + ") AND " + released + " AND NOT " + Stop("o") + " AND " +
           GateParams::CutoverTurnHasCome() + ")";
  }
  Sql Arm2() const {
    return "(o.state IN ('cutting_over','revert_window') AND o.updated_at < " + StaleBefore() +
           ")";
  }

  static Sql Of(const GateQuery& q) {
    Sql s;
    s.text = q.sql;
    s.params = q.params;
    return s;
  }

  // "(o.created_at, o.id) > key", spelled so the range optimizer uses it.
  static Sql After(const CandidateKey& key) {
    return " AND (o.created_at > " + Sql::Param(SqlValue::Text(key.created_at)) +
           " OR (o.created_at = " + Sql::Param(SqlValue::Text(key.created_at)) +
           " AND o.id > " + Sql::Param(SqlValue::Int(key.id)) + "))";
  }

  // Every row of the arms, merged in (created_at, id) order.
  static Sql Merge(const std::vector<GateQuery>& arms) {
    Sql out = "SELECT c.id, c.created_at FROM (";
    for (size_t i = 0; i < arms.size(); ++i) {
      if (i) out += " UNION ALL ";
      out += "(SELECT o.id, o.created_at FROM apply_operations o WHERE " + Of(arms[i]) + ")";
    }
    return out + ") c ORDER BY c.created_at, c.id";
  }

  // What a locking claim statement returns: the database clock and the operation row.
  // The apply's external id is not among them: it never changes, so the store keeps it
  // (MysqlStore::ExternalIdOf) rather than pay a subquery in every claim.
  static std::string LockedColumns() { return std::string("NOW(6), ") + kOperationColumns; }

  // The rare arms' probe: one SELECT whose OR'ed conditions each start with a state,
  // so the (state, updated_at) index serves them as one multi-interval range (stale
  // rows only, for the recovery arms), sorted afterwards (few rows).
  static Sql Probe(const std::vector<GateQuery>& rare, const std::optional<CandidateKey>& after,
                   const std::string& columns) {
    Sql any = "(";
    for (size_t i = 0; i < rare.size(); ++i) any += (i ? Sql(" OR ") : Sql("")) + Of(rare[i]);
    any += ")";
    Sql out = "SELECT " + columns +
              " FROM apply_operations o FORCE INDEX (apply_operations_heartbeat) WHERE " + any;
    if (after) out += After(*after);
    return out + " ORDER BY o.created_at, o.id LIMIT " + Sql::Param(SqlValue::Int(kClaimBatch));
  }

  static Sql First(const Sql& ordered, const std::vector<GateQuery>& rare) {
    // The probe rows carry only id and created_at, in the operation columns' places
    // (kOperationColumns: id first, created_at at kOperationCreatedAt).
    std::string probe_columns = "'R', NULL, o.id";
    for (int i = 1; i < kOperationColumnCount; ++i)
      probe_columns += i == kOperationCreatedAt ? ", o.created_at" : ", NULL";
    return "(SELECT 'A', " + LockedColumns() +
           " FROM apply_operations o FORCE INDEX (apply_operations_claim) WHERE " + ordered +
           " ORDER BY o.created_at, o.id LIMIT 1 FOR UPDATE SKIP LOCKED) UNION ALL (" +
           Probe(rare, std::nullopt, probe_columns) + ")";
  }

  static Sql Lock(const std::vector<GateQuery>& arms) {
    Sql any = "(";
    for (size_t i = 0; i < arms.size(); ++i) any += (i ? Sql(" OR ") : Sql("")) + Of(arms[i]);
    any += ")";
    return "SELECT " + LockedColumns() + " FROM apply_operations o WHERE " + any +
           " AND o.id = ? FOR UPDATE SKIP LOCKED";
  }

  static ClaimGates Claim(const std::vector<Sql>& arms, const Sql& ordered,
                          const std::vector<Sql>& rare) {
    ClaimGates g;
    for (const auto& a : arms) g.arms.push_back(a.Query());
    for (const auto& r : rare) g.rare.push_back(r.Query());
    g.all = Merge(g.arms).Query();
    g.first = First(ordered, g.rare).Query();
    g.lock = Lock(g.arms).Query();
    return g;
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

GateQuery ClaimGates::RareProbeAfter(const CandidateKey& key) const {
  return Builder::Probe(rare, key, "o.id, o.created_at").Query();
}

std::string GateParams::RequestExists(const std::string& apply_expr, const std::string& kind,
                                      const std::string& statuses) {
  return sqlstore::RequestExists(MysqlDialect(), apply_expr, kind, statuses);
}

std::string GateParams::CutoverTurnHasCome() {
  return "NOT " + Builder::EarlierBlocking("e.state <> 'completed' AND NOT " + Builder::Exempt());
}

GateParams::GateParams(const StoreOptions& opts) : options(opts) {
  Builder b(options);
  stale = ("updated_at < " + b.StaleBefore()).Query();
  start_pending =
      Sql("UPDATE apply_operations SET state = 'running', started_at = COALESCE(started_at, ?), "
          "lease_owner = ?, lease_token = ?, lease_acquired_at = ?, updated_at = ? WHERE id = ? "
          "AND state = 'pending' AND NOT " +
          Builder::Stop("apply_operations"))
          .Query();
  start_pending_barrier =
      (Sql("UPDATE apply_operations o SET o.state = 'running', o.started_at = "
           "COALESCE(o.started_at, ?), o.lease_owner = ?, o.lease_token = ?, "
           "o.lease_acquired_at = ?, o.updated_at = ? WHERE o.id = ? AND ") +
       b.ArmA())
          .Query();
  lock_earlier_siblings =
      Sql("SELECT e.id FROM apply_operations e WHERE e.apply_id = ? AND e.id < ? "
          "LOCK IN SHARE MODE")
          .Query();
  copy = Builder::Claim({b.ArmA(), b.ArmB(), b.ArmC(), b.ArmD()}, b.ArmA(),
                        {b.ProbeB(), Builder::ProbeC(), Builder::ProbeD()});
  cutover = Builder::Claim({b.Arm1(), b.Arm2()}, b.Arm1(), {b.Arm2()});
  // Rows no other gate hands out again, of an apply that is settled or cancelled,
  // held by no live lease (a row its driver stopped holds none: the transition released
  // it). Rows in flight and rows the copy or cutover claim would still take are theirs.
  Sql idle_ended =
      "(o.state IN ('pending','stopped','failed_retryable','waiting_for_cutover') AND "
      "(o.lease_token IS NULL OR o.updated_at < " +
      b.StaleBefore() +
      ") AND (EXISTS (SELECT 1 FROM applies a WHERE a.id = o.apply_id AND a.state IN "
      "('completed','failed','cancelled','reverted')) OR " +
      RequestExists("o.apply_id", "cancel") + ") AND NOT (" + b.ArmA() + " OR " + b.ArmB() +
      " OR " + b.ArmC() + " OR " + b.ArmD() + " OR " + b.Arm1() + " OR " + b.Arm2() + "))";
  // And rows whose target cleanup is owed — failed by retry expiry (which released
  // their lease) or completed at their swap — that no live lease holds, found by the
  // flag's own index.
  Sql owed = "(o.state IN ('failed','completed') AND o.cleanup_pending = 1 AND (o.lease_token IS NULL OR "
             "o.updated_at < " + b.StaleBefore() + "))";
  // Each arm on its own index (the idle states by the claim index; the flag by its
  // index, so failed rows are not read), merged in claim order.
  cleanup_candidates = Builder::Merge({idle_ended.Query(), owed.Query()}).Query();
  cleanup_lock = ("SELECT " + Builder::LockedColumns() + " FROM apply_operations o WHERE (" +
                  owed + " OR " + idle_ended + ") AND o.id = ? FOR UPDATE SKIP LOCKED")
                     .Query();

  Sql idle = sqlstore::IdleForStop("o", MysqlDialect().now_minus_micros);
  idle.params.push_back(SqlValue::Int(options.lease_staleness_micros));
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
  rederive_candidates =
      ("SELECT d.id FROM (SELECT a.id AS id, a.state AS state, " +
       DerivedApplyStateSql(RequestExists("a.id", "release", "'pending','completed'")) +
       " AS derived, SUM(o.lease_token IS NOT NULL AND o.updated_at >= " + b.StaleBefore() +
       ") AS live FROM applies a JOIN apply_operations o ON o.apply_id = a.id WHERE a.state "
       "IN ('pending','running','waiting_for_cutover','cutting_over','revert_window',"
       "'failed_retryable','stopped','running_degraded','paused') GROUP BY a.id, a.state) d "
       "WHERE d.live = 0 AND d.derived <> d.state AND NOT (d.derived = 'failed_retryable' AND "
       "d.state NOT IN ('failed_retryable','stopped')) ORDER BY d.id")
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
