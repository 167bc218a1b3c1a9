// ordo_rw_client: an application that reads a row and then writes it, and never
// retries — the client an ordo swap must not disturb. THREADS sessions, each over its
// own rows (ids FIRST + t*ROWS … + ROWS-1 of TABLE, created if missing, so that the
// sessions never deadlock with each other or with sysbench), run
//   BEGIN; SELECT c FROM TABLE WHERE id = ?; (pause) UPDATE TABLE SET c = ? WHERE id = ?; COMMIT
// with GAP_US between its transactions (an application's own work), until SECONDS have
// passed or the file STOP exists, then print one line:
//   rw_client transactions=N errors=E first_error="…"
// Every error counts (1213, 1205, a lost connection…); none is retried.
//
//   ordo_rw_client DSN TABLE [threads=4] [seconds=3600] [pause_us=200] [gap_us=1000]
//                  [first=100000000] [rows=1000] [stop=FILE]
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/dsn.h"
#include "db/mysql/connection.h"

namespace {

using namespace ordo;

// The value of KEY=VALUE among the options; "" when absent.
std::string TextArg(int argc, char** argv, const std::string& key) {
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind(key + "=", 0) == 0) return a.substr(key.size() + 1);
  }
  return "";
}

int64_t Arg(int argc, char** argv, const std::string& key, int64_t fallback) {
  std::string v = TextArg(argc, argv, key);
  return v.empty() ? fallback : std::atoll(v.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: ordo_rw_client DSN TABLE [threads=N] [seconds=N] [pause_us=N] [gap_us=N] "
                 "[first=N] [rows=N] [stop=FILE]\n");
    return 2;
  }
  auto dsn = db::ParseDsn(argv[1]);
  if (!dsn.ok()) {
    std::fprintf(stderr, "%s\n", dsn.status().ToString().c_str());
    return 2;
  }
  const std::string table = argv[2];
  const int threads = static_cast<int>(Arg(argc, argv, "threads", 4));
  const int64_t seconds = Arg(argc, argv, "seconds", 3600);
  const auto pause = std::chrono::microseconds(Arg(argc, argv, "pause_us", 200));
  const auto gap = std::chrono::microseconds(Arg(argc, argv, "gap_us", 1000));
  const int64_t first = Arg(argc, argv, "first", 100'000'000);
  const int64_t rows = Arg(argc, argv, "rows", 1000);
  const std::string stop_file = TextArg(argc, argv, "stop");

  {
    auto conn = db::MysqlConnection::Connect(*dsn, {});
    if (!conn.ok()) {
      std::fprintf(stderr, "%s\n", conn.status().ToString().c_str());
      return 1;
    }
    // Its own rows: sysbench's tables have k, c, pad.
    std::string sql = "INSERT IGNORE INTO " + table +
                      " (id, k, c, pad) SELECT seq, 0, 'rw', 'rw' FROM seq_" +
                      std::to_string(first) + "_to_" + std::to_string(first + threads * rows - 1);
    Status s = (*conn)->Execute(sql);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  std::atomic<int64_t> transactions{0}, errors{0};
  std::mutex mu;
  std::string first_error;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  auto stopped = [&] {
    struct stat st;
    return std::chrono::steady_clock::now() >= end ||
           (!stop_file.empty() && stat(stop_file.c_str(), &st) == 0);
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::unique_ptr<db::MysqlConnection> conn;
      uint64_t n = 0;
      while (!stopped()) {
        if (!conn) {
          auto c = db::MysqlConnection::Connect(*dsn, {});
          if (!c.ok()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
          }
          conn = std::move(*c);
        }
        int64_t id = first + t * rows + static_cast<int64_t>(n++ % rows);
        Status s = conn->Execute("BEGIN");
        if (s.ok())
          s = conn->Query("SELECT c FROM " + table + " WHERE id = ?", {db::SqlValue::Int(id)})
                  .status();
        if (s.ok()) std::this_thread::sleep_for(pause);
        if (s.ok())
          s = conn->Execute("UPDATE " + table + " SET c = ? WHERE id = ?",
                            {db::SqlValue::Text("rw" + std::to_string(n)), db::SqlValue::Int(id)})
                  .status();
        if (s.ok()) s = conn->Execute("COMMIT");
        if (s.ok()) {
          ++transactions;
          std::this_thread::sleep_for(gap);
          continue;
        }
        ++errors;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.empty()) first_error = s.message();
        }
        if (!conn->Execute("ROLLBACK").ok()) conn.reset();
      }
    });
  }
  for (auto& th : pool) th.join();
  std::printf("rw_client transactions=%lld errors=%lld first_error=\"%s\"\n",
              static_cast<long long>(transactions.load()), static_cast<long long>(errors.load()),
              first_error.c_str());
  return 0;
}
