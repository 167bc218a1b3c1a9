// Changes that alter how values are written: a temporal precision change verifies
// (values compared in the new column's type), and a character-set change is converted
// by the applier both ways (the binlog gives raw bytes in the old charset).
#include <gtest/gtest.h>

#include "engine_test_support.h"

namespace ordo {
namespace {

using testing::Connect;
using testing::Dump;
using testing::RecordingHost;
using testing::SpecFor;

TEST(Types, ATemporalOrDecimalPrecisionChangeVerifiesAndSwaps) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(testing::Run(**conn, "CREATE TABLE t (id INT PRIMARY KEY, at DATETIME, amount DECIMAL(10,2), "
                                   "ratio FLOAT);"
                                   "INSERT INTO t SELECT seq, '2026-01-01' + INTERVAL seq MINUTE, seq / 3, "
                                   "seq / 7 FROM seq_1_to_3000")
                  .ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, *db, "t",
                            "ALTER TABLE t MODIFY at DATETIME(3), MODIFY amount DECIMAL(12,4), MODIFY ratio DOUBLE");
  spec.revert_window = true;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  ASSERT_TRUE((*conn)->Execute("UPDATE t SET at = '2030-05-05 05:05:05', amount = 7.5 WHERE id = 9").ok());
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto row = (*conn)->Query("SELECT at, amount FROM t WHERE id = 9");
  EXPECT_EQ(*row->rows[0][0], "2030-05-05 05:05:05.000");
  EXPECT_EQ(*row->rows[0][1], "7.5000");
  ASSERT_TRUE((*engine)->FinishSwap().ok());
}

TEST(Types, ACharsetChangeIsConvertedForwardAndOnRevert) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Execute("SET NAMES utf8mb4").ok());
  ASSERT_TRUE(testing::Run(**conn, "CREATE TABLE t (id INT PRIMARY KEY, k VARCHAR(20) CHARACTER SET latin1 "
                                   "NOT NULL, s VARCHAR(40) CHARACTER SET latin1, UNIQUE KEY (k)) "
                                   "DEFAULT CHARSET=latin1;"
                                   "INSERT INTO t SELECT seq, CONCAT('k', seq), 'caf\u00e9' FROM seq_1_to_2000")
                  .ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, *db, "t", "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4");
  spec.revert_window = true;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  // Changes through the binlog, latin1 bytes in the events: an update, an insert, and
  // a delete + re-insert by a non-ASCII unique key.
  ASSERT_TRUE(testing::Run(**conn, "UPDATE t SET s = 'cr\u00e8me br\u00fbl\u00e9e' WHERE id = 5;"
                                   "INSERT INTO t VALUES (5001, 'cl\u00e9', 'na\u00efve');"
                                   "UPDATE t SET k = 'k\u00e9' WHERE id = 6")
                  .ok());
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto text = (*conn)->Query("SELECT s, k FROM t WHERE id IN (5, 5001, 6) ORDER BY id");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text->rows[0][0], "cr\u00e8me br\u00fbl\u00e9e");
  EXPECT_EQ(*text->rows[1][1], "k\u00e9");
  EXPECT_EQ(*text->rows[2][0], "na\u00efve");
  auto charset = (*conn)->Query("SELECT HEX(s) FROM t WHERE id = 5");
  EXPECT_EQ(*charset->rows[0][0], "6372C3A86D65206272C3BB6CC3A965");  // utf8mb4 bytes
  // In the window, utf8mb4 writes go back into the latin1 table; the revert keeps them.
  ASSERT_TRUE((*conn)->Execute("UPDATE t SET s = '\u00e0 la carte' WHERE id = 7").ok());
  ASSERT_TRUE((*engine)->KeepOldInSync([&] {
    auto r = (*conn)->Query("SELECT s FROM t_ordo_old WHERE id = 7");
    return r.ok() && !r->rows.empty() && r->rows[0][0] == std::optional<std::string>("\u00e0 la carte");
  }).ok());
  auto reverted = (*engine)->Revert();
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  auto back = (*conn)->Query("SELECT HEX(s) FROM t WHERE id = 7");
  EXPECT_EQ(*back->rows[0][0], "E0206C61206361727465");  // latin1 bytes again
  auto all = Dump(**conn, *db, "t", "COUNT(*)", "1");
  EXPECT_EQ(*(*all)[0][0], "2001");
}

}  // namespace
}  // namespace ordo
