// PgConnection and PgPool against a real PostgreSQL server: binding, results, the
// session's setup, error mapping from real failures, lost sessions, the pool.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "db/postgres/connection.h"
#include "db/postgres/pool.h"
#include "test_servers.h"

namespace ordo {
namespace {

using namespace std::chrono_literals;

Result<std::unique_ptr<db::PgConnection>> Open(const std::string& url,
                                               db::PgConnectOptions options = {}) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url));
  return db::PgConnection::Connect(dsn, options);
}

// Each test gets its own database on the shared server, dropped afterwards.
class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ORDO_ASSIGN_PG_SERVER_OR_SKIP(server);
    pg_ = server;
    db_ = testing::UniqueName("pgconn");
    Status s = pg_->CreateDatabase(db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void TearDown() override {
    if (pg_ != nullptr && !db_.empty())
      (void)pg_->Exec("DROP DATABASE IF EXISTS \"" + db_ + "\" WITH (FORCE)");
  }
  std::unique_ptr<db::PgConnection> MustOpen(db::PgConnectOptions options = {}) {
    auto conn = Open(pg_->Dsn(db_), std::move(options));
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? std::move(*conn) : nullptr;
  }

  testing::PostgresServer* pg_ = nullptr;
  std::string db_;
};

TEST_F(PgConnectionTest, EveryKindOfParameterRoundTripsThroughATable) {
  auto c = MustOpen();
  ASSERT_TRUE(c);
  ASSERT_TRUE(
      c->Execute("CREATE TABLE v (id bigint PRIMARY KEY, n numeric(20), d double precision, "
                 "t text, b bytea, note text)")
          .ok());
  const std::string tricky = "it's a \"test\"; what? h\xC3\xA9llo \\ $1 ?";
  const std::string bytes("\0\xff'\\?x", 6);
  auto inserted = c->Execute(
      "INSERT INTO v (id, n, d, t, b, note) VALUES (?, ?, ?, ?, ?, 'why? ''?''')",
      {db::SqlValue::Int(-9223372036854775807LL - 1), db::SqlValue::UInt(18446744073709551615ULL),
       db::SqlValue::Double(0.1), db::SqlValue::Text(tricky), db::SqlValue::Bytes(bytes)});
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_EQ(*inserted, 1u);
  ASSERT_TRUE(c->Execute("INSERT INTO v (id, n, d, t, b) VALUES (?, ?, ?, ?, ?)",
                         {db::SqlValue::Int(2), db::SqlValue::Null(), db::SqlValue::Null(),
                          db::SqlValue::Null(), db::SqlValue::Null()})
                  .ok());
  auto rows = c->Query("SELECT id, n, d = ?, t, b, note FROM v WHERE id < ? ORDER BY id",
                       {db::SqlValue::Double(0.1), db::SqlValue::Int(3)});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"id", "n", "?column?", "t", "b", "note"}));
  ASSERT_EQ(rows->rows.size(), 2u);
  const db::SqlRow& r = rows->rows[0];
  EXPECT_EQ(*r[0], "-9223372036854775808");
  EXPECT_EQ(*r[1], "18446744073709551615");
  EXPECT_EQ(*r[2], "1");  // a boolean reads 1/0
  EXPECT_EQ(*r[3], tricky);
  EXPECT_EQ(*r[4], bytes);  // bytea comes back as its raw bytes
  EXPECT_EQ(*r[5], "why? '?'");
  for (size_t i = 1; i < rows->rows[1].size(); ++i) EXPECT_FALSE(rows->rows[1][i].has_value()) << i;
  // The same statement with a parameter of another kind is prepared apart.
  auto by_bytes = c->Query("SELECT id FROM v WHERE b = ?", {db::SqlValue::Bytes(bytes)});
  ASSERT_TRUE(by_bytes.ok()) << by_bytes.status().ToString();
  ASSERT_EQ(by_bytes->rows.size(), 1u);
  auto long_text = c->Query("SELECT repeat('x', ?)", {db::SqlValue::Int(100000)});
  ASSERT_TRUE(long_text.ok());
  EXPECT_EQ(long_text->rows[0][0]->size(), 100000u);
}

TEST_F(PgConnectionTest, TextQueriesReadBooleansAndByteaLikeBoundOnes) {
  auto c = MustOpen();
  ASSERT_TRUE(c);
  auto rows =
      c->Query("SELECT true AS yes, false AS no, NULL::boolean AS unknown, '\\x00ff'::bytea AS b");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"yes", "no", "unknown", "b"}));
  EXPECT_EQ(*rows->rows[0][0], "1");
  EXPECT_EQ(*rows->rows[0][1], "0");
  EXPECT_FALSE(rows->rows[0][2].has_value());
  EXPECT_EQ(*rows->rows[0][3], std::string("\0\xff", 2));
}

TEST_F(PgConnectionTest, AffectedRowsCountWhatEachStatementChanged) {
  auto c = MustOpen();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Execute("CREATE TABLE a (id int PRIMARY KEY, v int)").ok());
  for (int i = 1; i <= 3; ++i) {
    auto n = c->Execute("INSERT INTO a VALUES (?, 0)", {db::SqlValue::Int(i)});
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 1u);
  }
  auto two =
      c->Execute("UPDATE a SET v = ? WHERE id >= ?", {db::SqlValue::Int(5), db::SqlValue::Int(2)});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, 2u);
  auto none =
      c->Execute("UPDATE a SET v = ? WHERE id > ?", {db::SqlValue::Int(5), db::SqlValue::Int(9)});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  auto ddl = c->Execute("CREATE INDEX a_v ON a (v)", {});
  ASSERT_TRUE(ddl.ok()) << ddl.status().ToString();
  EXPECT_EQ(*ddl, 0u);
  auto all = c->Execute("DELETE FROM a", {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 3u);
}

TEST_F(PgConnectionTest, UniqueViolationIsAlreadyExistsAndTheSessionGoesOn) {
  auto c = MustOpen();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Execute("CREATE TABLE u (id int PRIMARY KEY)").ok());
  ASSERT_TRUE(c->Execute("INSERT INTO u VALUES (?)", {db::SqlValue::Int(1)}).ok());
  auto dup = c->Execute("INSERT INTO u VALUES (?)", {db::SqlValue::Int(1)});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists) << dup.status().ToString();
  EXPECT_FALSE(dup.status().retryable());
  EXPECT_TRUE(db::IsPgError(dup.status(), "23505")) << dup.status().message();
  EXPECT_NE(dup.status().message().find("already exists"), std::string::npos);  // the detail
  EXPECT_FALSE(c->broken());
  EXPECT_TRUE(c->Execute("INSERT INTO u VALUES (?)", {db::SqlValue::Int(2)}).ok());
}

TEST_F(PgConnectionTest, BadSqlIsInvalidArgumentAndAMissingTableNotFound) {
  auto c = MustOpen();
  ASSERT_TRUE(c);
  Status syntax = c->Execute("SELEC 1");
  EXPECT_EQ(syntax.code(), StatusCode::kInvalidArgument) << syntax.ToString();
  EXPECT_TRUE(db::IsPgError(syntax, "42601"));
  auto column = c->Query("SELECT nope FROM pg_class WHERE oid = ?", {db::SqlValue::Int(1)});
  EXPECT_EQ(column.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(db::IsPgError(column.status(), "42703"));
  auto table = c->Query("SELECT * FROM missing_table");
  EXPECT_EQ(table.status().code(), StatusCode::kNotFound) << table.status().ToString();
  auto count = c->Query("SELECT ?, ?", {db::SqlValue::Int(1)});
  EXPECT_EQ(count.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(c->broken());
}

TEST_F(PgConnectionTest, DeadlockBetweenTwoSessionsIsAbortedAndRetryable) {
  auto a = MustOpen({.init_statements = {"SET deadlock_timeout = '100ms'"}});
  auto b = MustOpen({.init_statements = {"SET deadlock_timeout = '100ms'"}});
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(
      a->Execute("CREATE TABLE d (id int PRIMARY KEY, v int); INSERT INTO d VALUES (1, 0), (2, 0)")
          .ok());
  ASSERT_TRUE(a->Execute("BEGIN").ok());
  ASSERT_TRUE(b->Execute("BEGIN").ok());
  ASSERT_TRUE(
      a->Execute("UPDATE d SET v = ? WHERE id = ?", {db::SqlValue::Int(1), db::SqlValue::Int(1)})
          .ok());
  ASSERT_TRUE(
      b->Execute("UPDATE d SET v = ? WHERE id = ?", {db::SqlValue::Int(2), db::SqlValue::Int(2)})
          .ok());
  Result<uint64_t> from_a = uint64_t{0};
  std::thread t([&] {
    from_a =
        a->Execute("UPDATE d SET v = ? WHERE id = ?", {db::SqlValue::Int(1), db::SqlValue::Int(2)});
  });
  Result<uint64_t> from_b =
      b->Execute("UPDATE d SET v = ? WHERE id = ?", {db::SqlValue::Int(2), db::SqlValue::Int(1)});
  t.join();
  // Exactly one of the two is the victim.
  ASSERT_NE(from_a.ok(), from_b.ok())
      << from_a.status().ToString() << " / " << from_b.status().ToString();
  Status victim = from_a.ok() ? from_b.status() : from_a.status();
  EXPECT_EQ(victim.code(), StatusCode::kAborted) << victim.ToString();
  EXPECT_TRUE(victim.retryable());
  EXPECT_TRUE(db::IsPgError(victim, "40P01")) << victim.message();
  EXPECT_TRUE(a->in_transaction());
  EXPECT_TRUE(a->Execute("ROLLBACK").ok());
  EXPECT_TRUE(b->Execute("ROLLBACK").ok());
  EXPECT_FALSE(a->broken() || b->broken());
}

TEST_F(PgConnectionTest, LockTimeoutAndNowaitAreAbortedAndRetryable) {
  auto holder = MustOpen();
  auto waiter = MustOpen({.init_statements = {"SET lock_timeout = '100ms'"}});
  ASSERT_TRUE(holder && waiter);
  ASSERT_TRUE(
      holder->Execute("CREATE TABLE l (id int PRIMARY KEY, v int); INSERT INTO l VALUES (1, 0)")
          .ok());
  ASSERT_TRUE(holder->Execute("BEGIN; UPDATE l SET v = 1 WHERE id = 1").ok());
  auto timed_out = waiter->Execute("UPDATE l SET v = ? WHERE id = ?",
                                   {db::SqlValue::Int(2), db::SqlValue::Int(1)});
  EXPECT_EQ(timed_out.status().code(), StatusCode::kAborted) << timed_out.status().ToString();
  EXPECT_TRUE(timed_out.status().retryable());
  EXPECT_TRUE(db::IsPgError(timed_out.status(), "55P03"));
  auto nowait =
      waiter->Query("SELECT v FROM l WHERE id = ? FOR UPDATE NOWAIT", {db::SqlValue::Int(1)});
  EXPECT_EQ(nowait.status().code(), StatusCode::kAborted) << nowait.status().ToString();
  EXPECT_TRUE(db::IsPgError(nowait.status(), "55P03"));
  ASSERT_TRUE(holder->Execute("COMMIT").ok());
  EXPECT_TRUE(
      waiter
          ->Execute("UPDATE l SET v = ? WHERE id = ?", {db::SqlValue::Int(2), db::SqlValue::Int(1)})
          .ok());
}

TEST_F(PgConnectionTest, SerializationFailureIsAbortedAndRetryable) {
  auto reader = MustOpen();
  auto writer = MustOpen();
  ASSERT_TRUE(reader && writer);
  ASSERT_TRUE(
      writer->Execute("CREATE TABLE s (id int PRIMARY KEY, v int); INSERT INTO s VALUES (1, 0)")
          .ok());
  ASSERT_TRUE(reader->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ").ok());
  ASSERT_TRUE(reader->Query("SELECT v FROM s WHERE id = ?", {db::SqlValue::Int(1)}).ok());
  ASSERT_TRUE(
      writer
          ->Execute("UPDATE s SET v = ? WHERE id = ?", {db::SqlValue::Int(1), db::SqlValue::Int(1)})
          .ok());
  auto lost = reader->Execute("UPDATE s SET v = ? WHERE id = ?",
                              {db::SqlValue::Int(2), db::SqlValue::Int(1)});
  EXPECT_EQ(lost.status().code(), StatusCode::kAborted) << lost.status().ToString();
  EXPECT_TRUE(lost.status().retryable());
  EXPECT_TRUE(db::IsPgError(lost.status(), "40001"));
  EXPECT_TRUE(reader->Execute("ROLLBACK").ok());
}

TEST_F(PgConnectionTest, StatementTimeoutIsTimeoutAndTheSessionGoesOn) {
  auto c = MustOpen({.statement_timeout_ms = 200});
  ASSERT_TRUE(c);
  auto start = std::chrono::steady_clock::now();
  auto slow = c->Query("SELECT pg_sleep(?)", {db::SqlValue::Int(5)});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  EXPECT_EQ(slow.status().code(), StatusCode::kTimeout) << slow.status().ToString();
  EXPECT_TRUE(slow.status().retryable());
  EXPECT_TRUE(db::IsPgError(slow.status(), "57014"));
  EXPECT_FALSE(c->broken());
  EXPECT_TRUE(c->Query("SELECT 1").ok());
}

TEST_F(PgConnectionTest, NewSessionIsReadCommittedAndUtcWhateverTheDatabaseDefaults) {
  // The database's own defaults differ, so only the session's setup can make them so.
  ASSERT_TRUE(pg_->Exec("ALTER DATABASE \"" + db_ +
                        "\" SET default_transaction_isolation = 'serializable'; "
                        "ALTER DATABASE \"" +
                        db_ + "\" SET timezone = 'Asia/Tokyo'")
                  .ok());
  auto c = MustOpen();
  ASSERT_TRUE(c);
  auto rows = c->Query(
      "SELECT current_setting('transaction_isolation'), current_setting('TimeZone'), "
      "(SELECT reset_val FROM pg_settings WHERE name = 'default_transaction_isolation'), "
      "(SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'), "
      "to_char(TIMESTAMPTZ '2024-01-01 00:00:00+00', 'HH24')");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  const db::SqlRow& r = rows->rows[0];
  EXPECT_EQ(*r[0], "read committed");
  EXPECT_EQ(*r[1], "UTC");
  EXPECT_EQ(*r[2], "serializable");  // what a session without the setup would get
  EXPECT_EQ(*r[3], "Asia/Tokyo");
  EXPECT_EQ(*r[4], "00");
  // Init statements run after the setup.
  auto tuned = MustOpen({.init_statements = {"SET TIME ZONE 'Europe/Paris'"}});
  ASSERT_TRUE(tuned);
  auto tz = tuned->Query("SHOW TimeZone");
  ASSERT_TRUE(tz.ok());
  EXPECT_EQ(*tz->rows[0][0], "Europe/Paris");
}

TEST_F(PgConnectionTest, StatementWhoseColumnsChangedIsPreparedAgain) {
  auto c = MustOpen();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Execute("CREATE TABLE p (id int); INSERT INTO p VALUES (1)").ok());
  const char* sql = "SELECT * FROM p WHERE id = ?";
  auto before = c->Query(sql, {db::SqlValue::Int(1)});
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->columns.size(), 1u);
  ASSERT_TRUE(c->Execute("ALTER TABLE p ADD COLUMN extra int").ok());
  auto after = c->Query(sql, {db::SqlValue::Int(1)});
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->columns.size(), 2u);
  // Inside a transaction the failure is the caller's to roll back; then it works again.
  ASSERT_TRUE(c->Execute("ALTER TABLE p ADD COLUMN more int").ok());
  ASSERT_TRUE(c->Execute("BEGIN").ok());
  auto in_tx = c->Query(sql, {db::SqlValue::Int(1)});
  EXPECT_EQ(in_tx.status().code(), StatusCode::kInvalidArgument) << in_tx.status().ToString();
  EXPECT_TRUE(db::IsPgError(in_tx.status(), "0A000"));
  ASSERT_TRUE(c->Execute("ROLLBACK").ok());
  auto again = c->Query(sql, {db::SqlValue::Int(1)});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->columns.size(), 3u);
}

TEST_F(PgConnectionTest, WrongPasswordIsRefusedNotRetriedAndNotShown) {
  auto dsn = db::ParseDsn(pg_->Dsn(db_));
  ASSERT_TRUE(dsn.ok());
  dsn->password = "not-the-password-x9";
  auto c = db::PgConnection::Connect(*dsn, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition) << c.status().ToString();
  EXPECT_FALSE(c.status().retryable());
  EXPECT_TRUE(db::IsPgError(c.status(), "28P01")) << c.status().message();
  EXPECT_EQ(c.status().message().find("not-the-password-x9"), std::string::npos);
}

TEST_F(PgConnectionTest, MissingDatabaseIsNotFound) {
  auto c = Open(pg_->Dsn(db_ + "_missing"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound) << c.status().ToString();
  EXPECT_TRUE(db::IsPgError(c.status(), "3D000"));
}

TEST(PgConnection, UnreachableServerIsRetryableAndHidesThePassword) {
  auto c = Open("postgres://ordo:secret-pw@127.0.0.1:1/x");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable) << c.status().ToString();
  EXPECT_TRUE(c.status().retryable());
  EXPECT_EQ(c.status().message().find("secret-pw"), std::string::npos);
  EXPECT_NE(c.status().message().find("postgres://ordo:***@127.0.0.1:1/x"), std::string::npos);
  EXPECT_EQ(Open("mysql://ordo:ordo@127.0.0.1:1/x").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PgConnectionTest, PoolReusesIdleSessionsAndDropsBrokenOrUnfinishedOnes) {
  auto dsn = db::ParseDsn(pg_->Dsn(db_));
  ASSERT_TRUE(dsn.ok());
  db::PgPool pool(*dsn, {}, /*max_idle=*/2);
  auto pid_of = [&](db::PgPool::Handle& h) { return h->backend_pid(); };
  int first = 0;
  {
    auto h = pool.Acquire();
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    first = pid_of(*h);
  }
  {
    auto h = pool.Acquire();
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(pid_of(*h), first);  // reused
    (*h)->MarkBroken();
  }
  int second = 0;
  {
    auto h = pool.Acquire();
    ASSERT_TRUE(h.ok());
    second = pid_of(*h);
    EXPECT_NE(second, first);  // the broken one was dropped
    ASSERT_TRUE((*h)->Execute("BEGIN").ok());
  }
  {
    auto h = pool.Acquire();
    ASSERT_TRUE(h.ok());
    EXPECT_NE(pid_of(*h), second);  // left inside a transaction: dropped
    EXPECT_FALSE((*h)->in_transaction());
  }
  // max_idle: of three released at once, two are kept.
  std::vector<int> pids;
  {
    std::vector<db::PgPool::Handle> held;
    for (int i = 0; i < 3; ++i) {
      auto h = pool.Acquire();
      ASSERT_TRUE(h.ok());
      held.push_back(std::move(*h));
      pids.push_back(held.back()->backend_pid());
    }
  }
  int reused = 0;
  std::vector<db::PgPool::Handle> held;
  for (int i = 0; i < 3; ++i) {
    auto h = pool.Acquire();
    ASSERT_TRUE(h.ok());
    if (std::find(pids.begin(), pids.end(), (*h)->backend_pid()) != pids.end()) ++reused;
    held.push_back(std::move(*h));
  }
  EXPECT_EQ(reused, 2);
}

// Runs `sql` on `conn` in a thread once the server shows it running, and calls `cut`
// to end the session under it. Returns the statement's result.
Result<db::SqlRows> QueryCutShort(db::PgConnection* conn, db::PgConnection* watcher,
                                  const std::function<void()>& cut) {
  Result<db::SqlRows> result = db::SqlRows{};
  std::thread t([&] { result = conn->Query("SELECT pg_sleep(30)"); });
  bool running = testing::PollUntil(
      [&] {
        auto rows =
            watcher->Query("SELECT 1 FROM pg_stat_activity WHERE pid = ? AND state = 'active'",
                           {db::SqlValue::Int(conn->backend_pid())});
        return rows.ok() && !rows->rows.empty();
      },
      10s);
  EXPECT_TRUE(running);
  cut();
  t.join();
  return result;
}

TEST(PgConnectionLoss, ServerStoppedMidQueryIsUnavailableAndThePoolReplacesTheSession) {
  auto server = testing::PostgresServer::StartPrivate();
  if (!server.ok()) {
    if (testing::ServersRequired()) FAIL() << server.status().ToString();
    GTEST_SKIP() << "no PostgreSQL server: " << server.status().ToString();
  }
  auto dsn = db::ParseDsn((*server)->Dsn("ordo"));
  ASSERT_TRUE(dsn.ok());
  db::PgPool pool(*dsn, {});
  auto watcher = Open((*server)->Dsn("ordo"));
  ASSERT_TRUE(watcher.ok());
  int old_pid = 0;
  {
    auto h = pool.Acquire();
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    old_pid = (*h)->backend_pid();
    auto cut =
        QueryCutShort(h->get(), watcher->get(), [&] { ASSERT_TRUE((*server)->Kill().ok()); });
    EXPECT_EQ(cut.status().code(), StatusCode::kUnavailable) << cut.status().ToString();
    EXPECT_TRUE(cut.status().retryable());
    EXPECT_TRUE((*h)->broken());
    auto next = (*h)->Query("SELECT 1", {});
    EXPECT_EQ(next.status().code(), StatusCode::kUnavailable) << next.status().ToString();
  }
  auto down = pool.Acquire();
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  ASSERT_TRUE((*server)->Restart().ok());
  auto h = pool.Acquire();
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_NE((*h)->backend_pid(), old_pid);
  EXPECT_TRUE((*h)->Query("SELECT 1").ok());
}

TEST(PgConnectionLoss, BackendKilledMidQueryIsUnavailableAndTheServerComesBack) {
  auto server = testing::PostgresServer::StartPrivate();
  if (!server.ok()) {
    if (testing::ServersRequired()) FAIL() << server.status().ToString();
    GTEST_SKIP() << "no PostgreSQL server: " << server.status().ToString();
  }
  auto conn = Open((*server)->Dsn("ordo"));
  auto watcher = Open((*server)->Dsn("ordo"));
  ASSERT_TRUE(conn.ok() && watcher.ok());
  int pid = (*conn)->backend_pid();
  // SIGKILL: the session ends without a word, and the server restarts every session.
  auto cut = QueryCutShort(conn->get(), watcher->get(), [&] { ASSERT_EQ(kill(pid, SIGKILL), 0); });
  EXPECT_EQ(cut.status().code(), StatusCode::kUnavailable) << cut.status().ToString();
  EXPECT_TRUE(cut.status().retryable());
  EXPECT_TRUE((*conn)->broken());
  // While the server recovers, connecting is Unavailable (retryable); then it works.
  Status last;
  bool back = testing::PollUntil(
      [&] {
        auto again = Open((*server)->Dsn("ordo"));
        last = again.status();
        if (!again.ok()) {
          EXPECT_TRUE(again.status().retryable()) << again.status().ToString();
        }
        return again.ok() && (*again)->Query("SELECT 1").ok();
      },
      30s, 50ms);
  EXPECT_TRUE(back) << last.ToString();
}

}  // namespace
}  // namespace ordo
