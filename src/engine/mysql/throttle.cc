#include "engine/mysql/throttle.h"

#include <cstdio>
#include <cstdlib>

#include "db/dsn.h"
#include "engine/mysql/position.h"

namespace ordo::engine {

std::string Megabytes(int64_t bytes) {
  constexpr int64_t kMiB = 1 << 20;
  char text[32];
  if (bytes % kMiB == 0)
    std::snprintf(text, sizeof(text), "%lld MB", static_cast<long long>(bytes / kMiB));
  else
    std::snprintf(text, sizeof(text), "%.1f MB", static_cast<double>(bytes) / kMiB);
  return text;
}

Throttle::Throttle(ThrottleOptions options, db::MysqlPool* primary)
    : options_(std::move(options)), primary_(primary), replicas_(options_.replica_dsns.size()) {}

Throttle::~Throttle() = default;

Result<std::string> Throttle::CheckReplica(size_t i) {
  auto dsn = db::ParseDsn(options_.replica_dsns[i]);
  if (!dsn.ok())
    return "replica #" + std::to_string(i + 1) + " has a bad DSN: " + dsn.status().message();
  std::string name = dsn->host + ":" + std::to_string(dsn->port);
  if (!replicas_[i] || replicas_[i]->broken()) {
    db::MysqlConnectOptions o;
    o.connect_timeout_s = 2;
    o.read_timeout_s = 5;
    auto conn = db::MysqlConnection::Connect(*dsn, o);
    if (!conn.ok()) {
      replicas_[i].reset();
      return "replica " + name + " unreachable (lag unknown): " + conn.status().message();
    }
    replicas_[i] = std::move(*conn);
  }
  auto status = replicas_[i]->Query("SHOW SLAVE STATUS");
  if (!status.ok()) {
    replicas_[i].reset();
    return "replica " + name + " cannot report its lag: " + status.status().message();
  }
  if (status->rows.empty()) return "replica " + name + " is not replicating";
  int column = -1;
  for (size_t c = 0; c < status->columns.size(); ++c)
    if (status->columns[c] == "Seconds_Behind_Master") column = static_cast<int>(c);
  if (column < 0) return "replica " + name + " does not report Seconds_Behind_Master";
  const auto& lag = status->rows[0][column];
  if (!lag) return "replica " + name + " is not replicating (lag unknown)";
  int64_t lag_ms = std::strtoll(lag->c_str(), nullptr, 10) * 1000;
  if (lag_ms > options_.max_replica_lag_ms)
    return "replica " + name + " lags " + std::to_string(lag_ms / 1000) + " s > " +
           std::to_string(options_.max_replica_lag_ms / 1000) + " s";
  return std::string();
}

Result<int64_t> Throttle::Backlog() const {
  if (options_.max_backlog_bytes <= 0 || !options_.applied) return int64_t{0};
  BinlogPosition applied = options_.applied();
  ORDO_ASSIGN_OR_RETURN(auto conn, primary_->Acquire());
  return BacklogSince(*conn, applied);
}

std::string Throttle::BacklogReason(int64_t backlog) const {
  if (options_.max_backlog_bytes <= 0 || backlog <= options_.max_backlog_bytes) return "";
  return "backlog " + Megabytes(backlog) + " > " + Megabytes(options_.max_backlog_bytes);
}

Result<std::string> Throttle::CheckBacklog() const {
  ORDO_ASSIGN_OR_RETURN(int64_t backlog, Backlog());
  return BacklogReason(backlog);
}

Result<std::string> Throttle::Check() {
  ORDO_ASSIGN_OR_RETURN(std::string backlog, CheckBacklog());
  if (!backlog.empty()) return backlog;
  return CheckLoad();
}

Result<std::string> Throttle::CheckLoad() {
  if (options_.max_threads_running > 0) {
    ORDO_ASSIGN_OR_RETURN(auto conn, primary_->Acquire());
    ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                          conn->Query("SHOW GLOBAL STATUS LIKE 'Threads_running'"));
    int64_t running =
        rows.rows.empty() ? 0 : std::strtoll(rows.rows[0][1].value_or("0").c_str(), nullptr, 10);
    if (running > options_.max_threads_running)
      return "threads_running " + std::to_string(running) + " > " +
             std::to_string(options_.max_threads_running);
  }
  for (size_t i = 0; i < replicas_.size(); ++i) {
    ORDO_ASSIGN_OR_RETURN(std::string reason, CheckReplica(i));
    if (!reason.empty()) return reason;
  }
  return std::string();
}

}  // namespace ordo::engine
