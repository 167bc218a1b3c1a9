#include "claimers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "db/mysql/connection.h"
#include "db/postgres/connection.h"
#include "store/lease_token.h"
#include "store/postgres/pg_session.h"
#include "store/postgres/pg_store.h"

namespace ordo::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Sample {
  Clock::time_point start;
  int64_t micros;
  bool claimed;
};

double Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

// What differs between the baselines of MariaDB and PostgreSQL: the clock and how a
// transaction starts.
struct BaselineSql {
  std::string now;    // the database clock, as the store's dialect spells it
  std::string begin;  // sent before the SELECT; empty where autocommit is off
};

Result<std::unique_ptr<db::MysqlConnection>> ConnectMysql(const db::Dsn& dsn,
                                                          const std::string& isolation) {
  db::MysqlConnectOptions o;
  // The same transport as the store's transactions: autocommit off, so a transaction
  // starts with its first statement (no START TRANSACTION round trip).
  o.init_statements = {"SET SESSION time_zone = '+00:00'",
                       "SET SESSION TRANSACTION ISOLATION LEVEL " + isolation,
                       "SET SESSION autocommit = 0"};
  return db::MysqlConnection::Connect(dsn, o);
}

Result<std::unique_ptr<db::PgConnection>> ConnectPg(const db::Dsn& dsn,
                                                    const std::string& isolation) {
  // The store's session settings (lock_timeout, no JIT, its schema on the search_path);
  // the isolation level after them, since a PgConnection starts READ COMMITTED. Like
  // the store's transactions, each claim sends BEGIN.
  db::PgConnectOptions o = postgres::PgSessionOptions(dsn);
  o.init_statements.push_back("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " +
                              isolation);
  return db::PgConnection::Connect(dsn, o);
}

// One claim transaction of a baseline; `lock` is the locking clause of its SELECT.
template <typename Conn>
Result<bool> ClaimOnce(Conn& c, const BaselineSql& sql, const std::string& owner,
                       const std::string& lock) {
  auto body = [&]() -> Result<bool> {
    if (!sql.begin.empty()) ORDO_RETURN_IF_ERROR(c.Execute(sql.begin));
    ORDO_ASSIGN_OR_RETURN(
        db::SqlRows rows,
        c.Query("SELECT id FROM apply_operations WHERE state = 'pending' ORDER BY created_at, "
                "id LIMIT 1 " +
                    lock,
                {}));
    if (rows.rows.empty()) return false;
    const std::string& now = sql.now;
    ORDO_ASSIGN_OR_RETURN(
        uint64_t n,
        c.Execute("UPDATE apply_operations SET state = 'running', started_at = COALESCE("
                  "started_at, " +
                      now +
                      "), lease_owner = ?, lease_token = ?, "
                      "lease_acquired_at = " +
                      now + ", updated_at = " + now + " WHERE id = ? AND state = 'pending'",
                  {db::SqlValue::Text(owner), db::SqlValue::Text(NewLeaseToken()),
                   db::SqlValue::Int(std::stoll(rows.rows[0][0].value_or("0")))}));
    return n == 1;
  };
  Result<bool> r = body();
  if (!r.ok() || !*r) {
    (void)c.Execute("ROLLBACK");
    return r;
  }
  ORDO_RETURN_IF_ERROR(c.Execute("COMMIT"));
  return true;
}

Result<ClaimFn> Baseline(const std::string& url, const std::string& owner,
                         const std::string& isolation, const std::string& lock) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url));
  if (dsn.scheme == "postgres") {
    ORDO_ASSIGN_OR_RETURN(auto conn, ConnectPg(dsn, isolation));
    std::shared_ptr<db::PgConnection> c(std::move(conn));
    BaselineSql sql{std::string(sqlstore::PostgresDialect().now), "BEGIN"};
    return ClaimFn([c, sql, owner, lock]() { return ClaimOnce(*c, sql, owner, lock); });
  }
  ORDO_ASSIGN_OR_RETURN(auto conn, ConnectMysql(dsn, isolation));
  std::shared_ptr<db::MysqlConnection> c(std::move(conn));
  BaselineSql sql{"NOW(6)", ""};
  return ClaimFn([c, sql, owner, lock]() { return ClaimOnce(*c, sql, owner, lock); });
}

}  // namespace

Result<ClaimFn> BareClaim(const std::string& url, const std::string& owner) {
  return Baseline(url, owner, "READ COMMITTED", "FOR UPDATE SKIP LOCKED");
}

Result<ClaimFn> NaiveClaim(const std::string& url, const std::string& owner) {
  return Baseline(url, owner, "SERIALIZABLE", "FOR UPDATE");
}

Result<RunStats> RunClaimers(int claimers, double warmup_seconds, double seconds,
                             int64_t max_claims,
                             const std::function<Result<ClaimFn>(int thread)>& make,
                             bool time_empty) {
  std::vector<ClaimFn> fns;
  for (int i = 0; i < claimers; ++i) {
    ORDO_ASSIGN_OR_RETURN(ClaimFn fn, make(i));
    fns.push_back(std::move(fn));
  }
  std::atomic<int64_t> total{0}, empty{0}, retries{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  Status failure = Status::Ok();
  std::vector<std::vector<Sample>> samples(claimers);
  Clock::time_point begin = Clock::now();
  auto measure_from = begin + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(warmup_seconds));
  auto deadline = measure_from + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < claimers; ++i) {
    threads.emplace_back([&, i] {
      while (!stop.load() && Clock::now() < deadline) {
        Clock::time_point start = Clock::now();
        Result<bool> r = fns[i]();
        for (int k = 0; k < 1000 && !r.ok() && r.status().Is(StatusCode::kAborted); ++k) {
          retries++;
          r = fns[i]();
        }
        if (!r.ok()) {
          std::lock_guard<std::mutex> l(mu);
          if (failure.ok()) failure = r.status();
          stop = true;
          return;
        }
        if (!*r) empty++;
        if (!*r && !time_empty) continue;
        samples[i].push_back(
            {start,
             std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count(),
             *r});
        if (*r && ++total >= max_claims) stop = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (!failure.ok()) return failure;
  Clock::time_point end = std::min(Clock::now(), deadline);
  RunStats s;
  s.claimers = claimers;
  s.empty = empty;
  s.retries = retries;
  std::vector<int64_t> latencies;
  for (const auto& per_thread : samples) {
    for (const auto& x : per_thread) {
      if (x.start < measure_from) continue;
      latencies.push_back(x.micros);
      if (x.claimed) s.claims++;
    }
  }
  s.seconds = std::chrono::duration<double>(end - measure_from).count();
  s.per_second = s.seconds > 0 ? static_cast<double>(s.claims) / s.seconds : 0;
  s.latencies_us = latencies;
  s.median_ms = Percentile(latencies, 0.50);
  s.p99_ms = Percentile(latencies, 0.99);
  return s;
}

RunStats Pool(const std::vector<RunStats>& runs) {
  RunStats p;
  for (const auto& r : runs) {
    p.claimers = r.claimers;
    p.claims += r.claims;
    p.empty += r.empty;
    p.retries += r.retries;
    p.seconds += r.seconds;
    p.latencies_us.insert(p.latencies_us.end(), r.latencies_us.begin(), r.latencies_us.end());
  }
  p.per_second = p.seconds > 0 ? static_cast<double>(p.claims) / p.seconds : 0;
  std::vector<int64_t> l = p.latencies_us;
  p.median_ms = Percentile(l, 0.50);
  p.p99_ms = Percentile(l, 0.99);
  return p;
}

}  // namespace ordo::bench
