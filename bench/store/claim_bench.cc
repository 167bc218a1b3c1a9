// ordo_store_bench: claims per second and claim latency of the store's copy claim
// (every gate, its event, its lease) with 1, 8 and 32 concurrent claimers, on SQLite,
// MariaDB or PostgreSQL, over a history of settled operations; on MariaDB and
// PostgreSQL also the bare and the naive baseline claim on the same tables. Prints
// Markdown rows; bench/store/run runs the whole matrix against throwaway servers.
//
// --claim cutover times the cutover claim instead, over a work set of parked rows
// (each one claimable); --claim cleanup the cleanup claim over the pending work set,
// whose rows all belong to applies in flight, so every answer is empty and the
// latency is what a worker's tick pays to find that out.
//
//   ordo_store_bench --backend mysql --url mysql://ordo:ordo@127.0.0.1:3306/
//       --history 1000000 --claimers 1,8,32 --variants store,bare,naive --explain
//   ordo_store_bench --backend postgres --url postgres://ordo:ordo@127.0.0.1:5432/ordo
//       --history 1000 --claimers 8 --variants store,bare
//   ordo_store_bench --backend sqlite --sqlite-dir /tmp/b --claimers 1 --work 32000
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "claimers.h"
#include "db/mysql/connection.h"
#include "db/postgres/connection.h"
#include "explain.h"
#include "ordo/store.h"
#include "store/postgres/pg_store.h"
#include "workload.h"

namespace ordo::bench {
namespace {

struct Config {
  std::string backend = "mysql";
  std::string url;         // mysql: server URL without a database; postgres: a database
  std::string sqlite_dir;  // sqlite: directory for the store file
  int64_t history = 1000;
  int64_t work = 40'000;
  std::vector<int> claimers = {1, 8, 32};
  std::vector<std::string> variants = {"store"};
  std::string claim = "copy";  // copy, cutover or cleanup (store variant only)
  double seconds = 5;
  double warmup = 1;
  int rounds = 3;
  bool explain = false;
};

// A fresh store location for this history size: a new database, schema or file (not
// yet migrated).
Result<std::string> FreshStore(const Config& c) {
  if (c.backend == "sqlite") {
    std::string path = c.sqlite_dir + "/bench_" + std::to_string(c.history) + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    return "sqlite:" + path;
  }
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(c.url));
  std::string db = "ordo_bench_" + std::to_string(c.history);
  if (c.backend == "postgres") {
    // A schema of the URL's database (the store's `schema` parameter).
    dsn.params.erase("schema");
    ORDO_ASSIGN_OR_RETURN(auto admin, db::PgConnection::Connect(dsn, {}));
    std::string schema = db::QuotePgIdentifier(db);
    ORDO_RETURN_IF_ERROR(admin->Execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    ORDO_RETURN_IF_ERROR(admin->Execute("CREATE SCHEMA " + schema));
    dsn.params["schema"] = db;
    return dsn.ToUrl();
  }
  dsn.database.clear();
  ORDO_ASSIGN_OR_RETURN(auto admin, db::MysqlConnection::Connect(dsn, {}));
  ORDO_RETURN_IF_ERROR(admin->Execute("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(db)));
  ORDO_RETURN_IF_ERROR(admin->Execute("CREATE DATABASE " + db::QuoteIdentifier(db)));
  dsn.database = db;
  return dsn.ToUrl();
}

std::string LoadAverage() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (f == nullptr) return "?";
  char buf[128] = {0};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  std::string s(buf, n);
  return s.substr(0, s.find(' '));
}

Status Main(const Config& c) {
  ORDO_ASSIGN_OR_RETURN(std::string url, FreshStore(c));
  StoreOptions options;
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(url, options));
  ORDO_RETURN_IF_ERROR(store->Migrate());
  std::unique_ptr<Workload> workload;
  if (c.backend == "sqlite") {
    ORDO_ASSIGN_OR_RETURN(workload, SqliteWorkload(url.substr(7)));
  } else if (c.backend == "postgres") {
    ORDO_ASSIGN_OR_RETURN(workload, PgWorkload(url));
  } else {
    ORDO_ASSIGN_OR_RETURN(workload, MysqlWorkload(url));
  }
  std::cerr << "bench: loading " << c.history << " settled operations into " << c.backend << "\n";
  ORDO_RETURN_IF_ERROR(workload->LoadHistory(c.history));
  ORDO_RETURN_IF_ERROR(
      workload->LoadWorkSet(c.work, c.claim == "cutover" ? WorkSet::kParked : WorkSet::kPending));
  if (c.explain && c.backend == "mysql") {
    std::cout << "\n#### EXPLAIN, MariaDB, " << c.history << " settled operations of history\n";
    ORDO_RETURN_IF_ERROR(PrintMysqlExplains(url, options, std::cout));
  }
  if (c.explain && c.backend == "postgres") {
    std::cout << "\n#### EXPLAIN, PostgreSQL, " << c.history << " settled operations of history\n";
    ORDO_RETURN_IF_ERROR(PrintPgExplains(url, options, std::cout));
  }
  if (c.explain && c.backend == "sqlite") {
    std::cout << "\n#### EXPLAIN QUERY PLAN, SQLite, " << c.history
              << " settled operations of history\n";
    ORDO_RETURN_IF_ERROR(PrintSqliteExplains(url.substr(7), options, std::cout));
  }
  // Rounds interleave the variants, so that drift in the machine's load (and in its
  // disk's fsync latency) falls on every variant alike; each row pools its rounds.
  std::map<std::pair<std::string, int>, std::vector<RunStats>> runs;
  for (int round = 0; round < c.rounds; ++round) {
    for (int n : c.claimers) {
      for (const std::string& variant : c.variants) {
        // The baselines run on the servers (MariaDB, PostgreSQL), and are copy claims.
        if (variant != "store" && (c.backend == "sqlite" || c.claim != "copy")) continue;
        ORDO_RETURN_IF_ERROR(workload->ResetWorkSet());
        auto make = [&](int i) -> Result<ClaimFn> {
          std::string owner = "bench/" + std::to_string(n) + "/driver-" + std::to_string(i);
          if (variant == "bare") return BareClaim(url, owner);
          if (variant == "naive") return NaiveClaim(url, owner);
          Store* s = store.get();  // one store shared by every claimer: one worker process
          std::string claim = c.claim;
          return ClaimFn([s, owner, claim]() -> Result<bool> {
            auto claimed = claim == "cutover"   ? s->ClaimNextCutover(owner)
                           : claim == "cleanup" ? s->ClaimNextCleanup(owner)
                                                : s->ClaimNextCopy(owner);
            ORDO_RETURN_IF_ERROR(claimed.status());
            return claimed->has_value();
          });
        };
        std::cerr << "bench: round " << round + 1 << "/" << c.rounds << " " << c.backend << " "
                  << variant << " " << c.claim << " x" << n << "\n";
        ORDO_ASSIGN_OR_RETURN(RunStats r, RunClaimers(n, c.warmup, c.seconds, c.work, make,
                                                      /*time_empty=*/c.claim == "cleanup"));
        runs[{variant, n}].push_back(std::move(r));
      }
    }
  }
  std::cout << "<!-- " << c.backend << ", " << c.history
            << " settled operations: 1-minute load average at the end " << LoadAverage() << " -->"
            << std::endl;
  for (int n : c.claimers) {
    for (const std::string& variant : c.variants) {
      auto it = runs.find({variant, n});
      if (it == runs.end()) continue;
      RunStats r = Pool(it->second);
      char line[256];
      std::snprintf(line, sizeof(line),
                    "| %s | %lld | %s | %d | %.0f | %.2f | %.2f | %lld | %lld | %lld |",
                    c.backend.c_str(), static_cast<long long>(c.history),
                    (c.claim == "copy" ? variant : variant + " " + c.claim).c_str(), n,
                    r.per_second, r.median_ms, r.p99_ms, static_cast<long long>(r.claims),
                    static_cast<long long>(r.retries), static_cast<long long>(r.empty));
      std::cout << line << std::endl;
    }
  }
  return Status::Ok();
}

}  // namespace
}  // namespace ordo::bench

int main(int argc, char** argv) {
  ordo::bench::Config c;
  CLI::App app{"claims per second and latency of the store's copy claim"};
  app.add_option("--backend", c.backend, "sqlite, mysql or postgres")
      ->check(CLI::IsMember({"sqlite", "mysql", "postgres"}));
  app.add_option("--url", c.url,
                 "mysql://user:pass@host:port/ (mysql; a database per history size is made "
                 "on it) or postgres://user:pass@host:port/db (postgres; a schema per history "
                 "size is made in db)");
  app.add_option("--sqlite-dir", c.sqlite_dir, "directory for the SQLite file (sqlite)");
  app.add_option("--history", c.history, "settled operations of history");
  app.add_option("--work", c.work, "pending operations to claim from");
  app.add_option("--claimers", c.claimers, "concurrent claimers")->delimiter(',');
  app.add_option("--variants", c.variants,
                 "store, bare, naive (the last two on mysql and postgres)")
      ->delimiter(',');
  app.add_option("--seconds", c.seconds, "measured seconds per run");
  app.add_option("--warmup", c.warmup, "unmeasured seconds before each run");
  app.add_option("--rounds", c.rounds, "interleaved rounds per configuration, pooled");
  app.add_option("--claim", c.claim, "copy, cutover (parked work set) or cleanup")
      ->check(CLI::IsMember({"copy", "cutover", "cleanup"}));
  app.add_flag("--explain", c.explain,
               "print EXPLAIN of every gate query (mysql) or of the claims (postgres, sqlite)");
  CLI11_PARSE(app, argc, argv);
  if (c.backend != "sqlite" && c.url.empty()) {
    std::cerr << "--url is required for " << c.backend << "\n";
    return 2;
  }
  if (c.backend == "sqlite" && c.sqlite_dir.empty()) {
    std::cerr << "--sqlite-dir is required for sqlite\n";
    return 2;
  }
  ordo::Status s = ordo::bench::Main(c);
  if (!s.ok()) {
    std::cerr << "bench: " << ordo::db::RedactUrls(s.ToString()) << "\n";
    return 1;
  }
  return 0;
}
