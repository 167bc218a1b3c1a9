// Changes that alter how values are written: a temporal precision change verifies
// (values compared in the new column's type), and a character-set change is converted
// by the applier both ways (the binlog gives raw bytes in the old charset).
#include <gtest/gtest.h>

#include "engine_test_support.h"

namespace ordo::engine {
namespace {

using Types = testing::EngineTest;

TEST_F(Types, ATemporalOrDecimalPrecisionChangeVerifiesAndSwaps) {
  ORDO_ASSERT_OK(
      Exec("CREATE TABLE t (id INT PRIMARY KEY, at DATETIME, amount DECIMAL(10,2), ratio FLOAT);"
           "INSERT INTO t SELECT seq, '2026-01-01' + INTERVAL seq MINUTE, seq / 3, "
           "seq / 7 FROM seq_1_to_3000"));
  EngineSpec spec =
      Spec("ALTER TABLE t MODIFY at DATETIME(3), MODIFY amount DECIMAL(12,4), MODIFY ratio DOUBLE");
  spec.revert_window = true;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  ORDO_ASSERT_OK(Exec("UPDATE t SET at = '2030-05-05 05:05:05', amount = 7.5 WHERE id = 9"));
  ORDO_ASSERT_OK(engine->Cutover().status());
  EXPECT_EQ(CellOf("SELECT at FROM t WHERE id = 9"), "2030-05-05 05:05:05.000");
  EXPECT_EQ(CellOf("SELECT amount FROM t WHERE id = 9"), "7.5000");
  ORDO_ASSERT_OK(engine->FinishSwap());
}

TEST_F(Types, ACharsetChangeIsConvertedForwardAndOnRevert) {
  ORDO_ASSERT_OK(
      Exec("SET NAMES utf8mb4;"
           "CREATE TABLE t (id INT PRIMARY KEY, k VARCHAR(20) CHARACTER SET latin1 "
           "NOT NULL, s VARCHAR(40) CHARACTER SET latin1, UNIQUE KEY (k)) DEFAULT CHARSET=latin1;"
           "INSERT INTO t SELECT seq, CONCAT('k', seq), 'caf\u00e9' FROM seq_1_to_2000"));
  EngineSpec spec = Spec("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4");
  spec.revert_window = true;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  // Changes through the binlog, latin1 bytes in the events: an update, an insert, and
  // a delete + re-insert by a non-ASCII unique key.
  ORDO_ASSERT_OK(
      Exec("UPDATE t SET s = 'cr\u00e8me br\u00fbl\u00e9e' WHERE id = 5;"
           "INSERT INTO t VALUES (5001, 'cl\u00e9', 'na\u00efve');"
           "UPDATE t SET k = 'k\u00e9' WHERE id = 6"));
  ORDO_ASSERT_OK(engine->Cutover().status());
  EXPECT_EQ(CellOf("SELECT s FROM t WHERE id = 5"), "cr\u00e8me br\u00fbl\u00e9e");
  EXPECT_EQ(CellOf("SELECT k FROM t WHERE id = 6"), "k\u00e9");
  EXPECT_EQ(CellOf("SELECT s FROM t WHERE id = 5001"), "na\u00efve");
  EXPECT_EQ(CellOf("SELECT HEX(s) FROM t WHERE id = 5"),
            "6372C3A86D65206272C3BB6CC3A965");  // utf8mb4 bytes
  // In the window, utf8mb4 writes go back into the latin1 table; the revert keeps them.
  ORDO_ASSERT_OK(Exec("UPDATE t SET s = '\u00e0 la carte' WHERE id = 7"));
  ORDO_ASSERT_OK(engine->KeepOldInSync(
      [&] { return CellOf("SELECT s FROM t_ordo_old WHERE id = 7") == "\u00e0 la carte"; }));
  ORDO_ASSERT_OK(engine->Revert().status());
  EXPECT_EQ(CellOf("SELECT HEX(s) FROM t WHERE id = 7"),
            "E0206C61206361727465");  // latin1 bytes again
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t"), "2001");
}

}  // namespace
}  // namespace ordo::engine
