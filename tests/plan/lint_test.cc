// The schema lint (src/schema/lint*.h) against a real MariaDB: every rule with a case
// that finds it and one that does not, the live-data rules with the data that decides
// them (NULLs, long values, a high AUTO_INCREMENT, index reads). A change is two
// databases: the live one and a desired one holding the tables as the files would.
#include "schema/lint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/dsn.h"
#include "db/mysql/connection.h"
#include "plan_test_support.h"
#include "schema/files.h"
#include "schema/lint_files.h"
#include "schema/lint_probe_mysql.h"
#include "schema/lint_rules.h"
#include "schema/lint_types.h"
#include "schema/reader.h"

namespace ordo::schema {
namespace {

using Names = std::vector<std::string>;

class LintTest : public testing::SchemaTest {
 protected:
  void SetUp() override {
    SchemaTest::SetUp();
    if (conn_ == nullptr) return;
    live_ = NewSchema("lint_live");
    desired_ = NewSchema("lint_want");
  }

  void Run(const std::string& db, const std::string& sql) {
    if (sql.empty()) return;
    ASSERT_TRUE(conn_->Execute("USE " + db::QuoteIdentifier(db)).ok());
    Status s = conn_->ExecuteScript(sql);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << sql;
  }
  SchemaDef Read(const std::string& db) {
    auto schema = ReadSchema(*conn_, db);
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    return schema.ok() ? *schema : SchemaDef{};
  }
  // The live schema's findings (LintSchema).
  std::vector<Finding> LintLive(const std::string& sql) {
    Run(live_, sql);
    return LintSchema(Read(live_));
  }
  // The change's findings: `live_sql` in the live schema (then `data`), `desired_sql` as
  // the desired one; `edit` may adjust the desired model (a declared rename).
  std::vector<Finding> LintChangeOf(const std::string& live_sql, const std::string& desired_sql,
                                    const std::string& data = "",
                                    const std::function<void(SchemaDef&)>& edit = nullptr) {
    for (const std::string& db : {live_, desired_}) {  // a test may ask for several changes
      EXPECT_TRUE(conn_->Execute("DROP DATABASE " + db::QuoteIdentifier(db)).ok());
      EXPECT_TRUE(conn_->Execute("CREATE DATABASE " + db::QuoteIdentifier(db)).ok());
    }
    Run(live_, live_sql);
    if (!data.empty()) Run(live_, data);
    Run(desired_, desired_sql);
    SchemaDef live = Read(live_), desired = Read(desired_);
    if (edit) edit(desired);
    MysqlLintProbe probe(*conn_, live_);
    auto findings = LintChange(live, desired, probe);
    EXPECT_TRUE(findings.ok()) << findings.status().ToString();
    return findings.ok() ? *findings : std::vector<Finding>{};
  }

  static std::vector<Finding> Of(const std::vector<Finding>& all, const std::string& rule) {
    std::vector<Finding> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const Finding& f) { return f.rule == rule; });
    return out;
  }
  // Where each finding of `rule` is, in order: "table", "table.column" or "table.index".
  static std::vector<std::string> Where(const std::vector<Finding>& all, const std::string& rule) {
    std::vector<std::string> out;
    for (const Finding& f : Of(all, rule))
      out.push_back(f.table + (f.column.empty() && f.index.empty() ? "" : ".") + f.column +
                    f.index);
    return out;
  }
  static std::string Dump(const std::vector<Finding>& all) {
    std::string out;
    for (const Finding& f : all)
      out += std::string(SeverityName(f.severity)) + " " + f.rule + " " + f.table + "/" + f.column +
             f.index + ": " + f.message + "\n";
    return out;
  }

  std::string live_, desired_;
};

// --- the schema alone ---

TEST_F(LintTest, TableWithoutUsableKeyIsBlocked) {
  auto f = LintLive(
      "CREATE TABLE nokey (a INT, b INT);"
      "CREATE TABLE nullable_unique (a INT NULL, UNIQUE KEY u (a));"
      "CREATE TABLE pk (id INT PRIMARY KEY);"
      "CREATE TABLE notnull_unique (a INT NOT NULL, UNIQUE KEY u (a));");
  ASSERT_EQ(Where(f, "no-primary-key"), (Names{"nokey", "nullable_unique"})) << Dump(f);
  EXPECT_EQ(Of(f, "no-primary-key")[0].severity, Severity::kBlocked);
}

TEST_F(LintTest, ForeignKeysBlockBothTables) {
  auto f = LintLive(
      "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;"
      "CREATE TABLE child (id INT PRIMARY KEY, p INT, CONSTRAINT fk_p FOREIGN KEY (p) "
      "REFERENCES parent (id)) ENGINE=InnoDB;"
      "CREATE TABLE alone (id INT PRIMARY KEY);");
  auto hits = Of(f, "foreign-key");
  ASSERT_EQ(hits.size(), 2u) << Dump(f);
  EXPECT_EQ(hits[0].table, "child");
  EXPECT_NE(hits[0].message.find("fk_p"), std::string::npos);
  EXPECT_EQ(hits[1].table, "parent");
  EXPECT_NE(hits[1].message.find("child"), std::string::npos);
  EXPECT_EQ(hits[0].severity, Severity::kBlocked);
}

TEST_F(LintTest, DuplicateIndexNamesTheOneToDrop) {
  auto f = LintLive(
      "CREATE TABLE d (id INT PRIMARY KEY, a INT, b INT, KEY ia (a), UNIQUE KEY ua (a), "
      "KEY ib (b));");
  // The plain one beside the unique one.
  ASSERT_EQ(Where(f, "duplicate-index"), (Names{"d.ia"})) << Dump(f);
  EXPECT_EQ(Of(f, "duplicate-index")[0].severity, Severity::kAdvisory);
}

TEST_F(LintTest, RedundantIndexIsALeftmostPrefixOfAnother) {
  auto f = LintLive(
      "CREATE TABLE r (id INT PRIMARY KEY, a INT, b INT, c INT, KEY ia (a), KEY iab (a, b), "
      "KEY ib (b), UNIQUE KEY uc (c), KEY icb (c, b));");
  // Not ib (b is not leftmost), not uc (unique).
  ASSERT_EQ(Where(f, "redundant-index"), (Names{"r.ia"})) << Dump(f);
  EXPECT_NE(Of(f, "redundant-index")[0].message.find("iab"), std::string::npos);
}

TEST_F(LintTest, FloatForMoneyIsAdvised) {
  auto f = LintLive(
      "CREATE TABLE m (id INT PRIMARY KEY, unit_price DOUBLE, totalAmount FLOAT, "
      "ratio FLOAT, cost DECIMAL(10,2));");
  EXPECT_EQ(Where(f, "float-money"), (Names{"m.unit_price", "m.totalAmount"})) << Dump(f);
}

TEST_F(LintTest, ZeroDateDefaultIsAdvised) {
  auto f = LintLive(
      "SET SESSION sql_mode = '';"
      "CREATE TABLE z (id INT PRIMARY KEY, created DATETIME NOT NULL DEFAULT "
      "'0000-00-00 00:00:00', born DATE DEFAULT '2000-01-01', seen TIMESTAMP NULL);");
  EXPECT_EQ(Where(f, "zero-date-default"), (Names{"z.created"})) << Dump(f);
}

TEST_F(LintTest, AutoIncrementNearItsTypeMaximumFromTheLiveCounter) {
  auto f = LintLive(
      "CREATE TABLE high (id SMALLINT AUTO_INCREMENT PRIMARY KEY);"
      "INSERT INTO high VALUES (30000);"
      "CREATE TABLE low (id SMALLINT AUTO_INCREMENT PRIMARY KEY);"
      "INSERT INTO low VALUES (100);");
  auto hits = Of(f, "auto-increment-capacity");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].table, "high");
  EXPECT_NE(hits[0].message.find("30001"), std::string::npos) << hits[0].message;
  EXPECT_NE(hits[0].message.find("91 %"), std::string::npos) << hits[0].message;
}

TEST_F(LintTest, ReservedWordsAsNamesAreAdvised) {
  auto f = LintLive(
      "CREATE TABLE `order` (id INT PRIMARY KEY, `key` INT, label INT, KEY `rank` (label));"
      "CREATE TABLE orders (id INT PRIMARY KEY, name INT);");
  EXPECT_EQ(Where(f, "reserved-word"), (Names{"order", "order.key", "order.rank"})) << Dump(f);
}

TEST_F(LintTest, CleanSchemaHasNoFindings) {
  auto f = LintLive(
      "CREATE TABLE customers (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, email "
      "VARCHAR(100) NOT NULL, balance DECIMAL(12,2), UNIQUE KEY u_email (email)) "
      "DEFAULT CHARSET=utf8mb4;");
  EXPECT_TRUE(f.empty()) << Dump(f);
}

// --- a change ---

const char* kBase = "CREATE TABLE t (id INT PRIMARY KEY, a INT, note VARCHAR(64));";

TEST_F(LintTest, DroppingATableIsUnsafe) {
  auto f = LintChangeOf(std::string(kBase) + "CREATE TABLE gone (id INT PRIMARY KEY);", kBase);
  auto hits = Of(f, "drop-table");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].table, "gone");
  EXPECT_EQ(hits[0].severity, Severity::kUnsafe);
  EXPECT_TRUE(Refuses(f, false));
  EXPECT_FALSE(Refuses(f, true));
  EXPECT_TRUE(LintChangeOf("", "").empty());
}

TEST_F(LintTest, DroppingAColumnIsUnsafeAddingOneIsNot) {
  auto f = LintChangeOf(kBase, "CREATE TABLE t (id INT PRIMARY KEY, a INT);");
  auto hits = Of(f, "drop-column");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].column, "note");
  EXPECT_TRUE(Of(LintChangeOf("CREATE TABLE u (id INT PRIMARY KEY);",
                              "CREATE TABLE u (id INT PRIMARY KEY, x INT);"),
                 "drop-column")
                  .empty());
}

TEST_F(LintTest, RenameWrittenAsDropAndAddIsBlockedUnlessDeclared) {
  std::string want = "CREATE TABLE t (id INT PRIMARY KEY, b INT, note VARCHAR(64));";
  auto f = LintChangeOf(kBase, want);
  auto hits = Of(f, "rename-looks-like-drop-add");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].column, "b");
  EXPECT_EQ(hits[0].severity, Severity::kBlocked);
  EXPECT_TRUE(Of(f, "drop-column").empty()) << Dump(f);
  EXPECT_TRUE(Refuses(f, /*allow_unsafe=*/true));
}

TEST_F(LintTest, DeclaredRenameIsNeitherBlockedNorADrop) {
  auto f = LintChangeOf(kBase, "CREATE TABLE t (id INT PRIMARY KEY, b INT, note VARCHAR(64));", "",
                        [](SchemaDef& d) {
                          for (auto& [name, t] : d.tables)
                            for (ColumnDef& c : t.columns)
                              if (c.name == "b") c.renamed_from = "a";
                        });
  EXPECT_TRUE(Of(f, "rename-looks-like-drop-add").empty()) << Dump(f);
  EXPECT_TRUE(Of(f, "drop-column").empty()) << Dump(f);
}

TEST_F(LintTest, DropAndAddOfDifferentTypesIsADrop) {
  auto f = LintChangeOf(kBase, "CREATE TABLE t (id INT PRIMARY KEY, b DATE, note VARCHAR(64));");
  EXPECT_TRUE(Of(f, "rename-looks-like-drop-add").empty()) << Dump(f);
  EXPECT_EQ(Of(f, "drop-column").size(), 1u) << Dump(f);
}

TEST_F(LintTest, NarrowingAStringReportsTheLongestLiveValue) {
  std::string want = "CREATE TABLE t (id INT PRIMARY KEY, a INT, note VARCHAR(8));";
  auto f = LintChangeOf(kBase, want, "INSERT INTO t VALUES (1, 1, 'twenty characters!!!');");
  auto hits = Of(f, "narrow-type");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].severity, Severity::kUnsafe);
  EXPECT_NE(hits[0].message.find("20 characters, which does not fit"), std::string::npos)
      << hits[0].message;
}

TEST_F(LintTest, NarrowingAStringWhoseValuesFitStillSaysSo) {
  std::string want = "CREATE TABLE t (id INT PRIMARY KEY, a INT, note VARCHAR(8));";
  auto f = LintChangeOf(kBase, want, "INSERT INTO t VALUES (1, 1, 'abc');");
  auto hits = Of(f, "narrow-type");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_NE(hits[0].message.find("3 characters"), std::string::npos) << hits[0].message;
  EXPECT_EQ(hits[0].message.find("does not fit"), std::string::npos) << hits[0].message;
}

TEST_F(LintTest, NarrowingAnIntegerReportsTheLiveRange) {
  auto f = LintChangeOf("CREATE TABLE n (id INT PRIMARY KEY, v BIGINT);",
                        "CREATE TABLE n (id INT PRIMARY KEY, v SMALLINT);",
                        "INSERT INTO n VALUES (1, -5), (2, 70000);");
  auto hits = Of(f, "narrow-type");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_NE(hits[0].message.find("from -5 to 70000"), std::string::npos) << hits[0].message;
}

TEST_F(LintTest, WideningIsNotNarrowing) {
  auto f = LintChangeOf(
      "CREATE TABLE w (id INT PRIMARY KEY, v SMALLINT, s VARCHAR(10), d DECIMAL(8,2), "
      "e ENUM('a','b'));",
      "CREATE TABLE w (id INT PRIMARY KEY, v BIGINT, s VARCHAR(20), d DECIMAL(12,3), "
      "e ENUM('a','b','c'));");
  EXPECT_TRUE(Of(f, "narrow-type").empty()) << Dump(f);
  auto g = LintChangeOf("CREATE TABLE e2 (id INT PRIMARY KEY, e ENUM('a','b'));",
                        "CREATE TABLE e2 (id INT PRIMARY KEY, e ENUM('a'));");
  EXPECT_EQ(Of(g, "narrow-type").size(), 1u) << Dump(g);
}

TEST_F(LintTest, CharsetThatCannotHoldTheOldCountsLossyValues) {
  auto f = LintChangeOf("CREATE TABLE c (id INT PRIMARY KEY, s VARCHAR(20) CHARACTER SET utf8mb4);",
                        "CREATE TABLE c (id INT PRIMARY KEY, s VARCHAR(20) CHARACTER SET latin1);",
                        "INSERT INTO c VALUES (1, 'plain'), (2, '日本'), (3, NULL);");
  auto hits = Of(f, "charset-truncation");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].severity, Severity::kUnsafe);
  EXPECT_NE(hits[0].message.find("1 live value(s)"), std::string::npos) << hits[0].message;
  auto g =
      LintChangeOf("CREATE TABLE c2 (id INT PRIMARY KEY, s VARCHAR(20) CHARACTER SET latin1);",
                   "CREATE TABLE c2 (id INT PRIMARY KEY, s VARCHAR(20) CHARACTER SET utf8mb4);");
  EXPECT_TRUE(Of(g, "charset-truncation").empty()) << Dump(g);
}

TEST_F(LintTest, NotNullOnAColumnWithNullsIsUnsafe) {
  std::string want = "CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL, note VARCHAR(64));";
  auto f = LintChangeOf(kBase, want, "INSERT INTO t VALUES (1, NULL, 'x');");
  auto hits = Of(f, "not-null-with-nulls");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].column, "a");
  EXPECT_EQ(hits[0].severity, Severity::kUnsafe);
}

TEST_F(LintTest, NotNullOnAColumnWithoutNullsIsFine) {
  std::string want = "CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL, note VARCHAR(64));";
  auto f = LintChangeOf(kBase, want, "INSERT INTO t VALUES (1, 7, NULL);");
  EXPECT_TRUE(Of(f, "not-null-with-nulls").empty()) << Dump(f);
}

TEST_F(LintTest, DroppingAnIndexOfUnknownUsageIsUnsafe) {
  auto vars = conn_->Query("SELECT @@performance_schema, @@userstat");
  ASSERT_TRUE(vars.ok());
  if (vars->rows[0][0] != "0" || vars->rows[0][1] != "0")
    GTEST_SKIP() << "the server keeps index statistics";
  auto f = LintChangeOf("CREATE TABLE i (id INT PRIMARY KEY, a INT, KEY ia (a));",
                        "CREATE TABLE i (id INT PRIMARY KEY, a INT);");
  auto hits = Of(f, "drop-index-in-use");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].index, "ia");
  EXPECT_NE(hits[0].message.find("usage unknown"), std::string::npos) << hits[0].message;
}

// userstat counts the reads of each index: an index never read may go, one read may not.
TEST_F(LintTest, DroppingAnIndexTheServerSawReadIsUnsafeAnUnreadOneIsNot) {
  auto before = conn_->Query("SELECT @@userstat");
  ASSERT_TRUE(before.ok());
  if (!conn_->Execute("SET GLOBAL userstat = 1").ok()) GTEST_SKIP() << "cannot set userstat";
  auto f =
      LintChangeOf("CREATE TABLE i (id INT PRIMARY KEY, a INT, b INT, KEY ia (a), KEY ib (b));",
                   "CREATE TABLE i (id INT PRIMARY KEY, a INT, b INT);",
                   "INSERT INTO i VALUES (1, 1, 1), (2, 2, 2);"
                   "SELECT COUNT(*) FROM i FORCE INDEX (ia) WHERE a > 0;");
  (void)conn_->Execute("SET GLOBAL userstat = " + before->rows[0][0].value_or("0"));
  auto hits = Of(f, "drop-index-in-use");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].index, "ia");
  EXPECT_NE(hits[0].message.find("read 2 times"), std::string::npos) << hits[0].message;
}

TEST_F(LintTest, RenamingAnIndexIsNotDroppingIt) {
  auto f = LintChangeOf("CREATE TABLE i (id INT PRIMARY KEY, a INT, KEY ia (a));",
                        "CREATE TABLE i (id INT PRIMARY KEY, a INT, KEY a_idx (a));");
  EXPECT_TRUE(Of(f, "drop-index-in-use").empty()) << Dump(f);
}

TEST_F(LintTest, DroppingAnIndexAnotherOneCoversIsNotDroppingItsReads) {
  auto f = LintChangeOf(
      "CREATE TABLE i (id INT PRIMARY KEY, a INT, b INT, KEY ia (a), KEY iab (a, b), "
      "UNIQUE KEY ub (b), KEY iba (b, a));",
      "CREATE TABLE i (id INT PRIMARY KEY, a INT, b INT, KEY iab (a, b), KEY iba (b, a));");
  auto hits = Of(f, "drop-index-in-use");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);  // ia is covered by iab; unique ub is a constraint
  EXPECT_EQ(hits[0].index, "ub");
}

TEST_F(LintTest, ChangingAKeylessOrForeignKeyedTableIsBlocked) {
  auto f = LintChangeOf(
      "CREATE TABLE k (a INT);"
      "CREATE TABLE p (id INT PRIMARY KEY);"
      "CREATE TABLE ch (id INT PRIMARY KEY, p INT, CONSTRAINT fk FOREIGN KEY (p) REFERENCES p "
      "(id));",
      "CREATE TABLE k (a INT, b INT);"
      "CREATE TABLE p (id INT PRIMARY KEY);"
      "CREATE TABLE ch (id INT PRIMARY KEY, p INT, x INT, CONSTRAINT fk FOREIGN KEY (p) "
      "REFERENCES p (id));");
  auto keyless = Of(f, "no-primary-key");
  ASSERT_EQ(keyless.size(), 1u) << Dump(f);
  EXPECT_EQ(keyless[0].table, "k");
  auto fk = Of(f, "foreign-key");
  ASSERT_EQ(fk.size(), 1u) << Dump(f);  // ch changes; p does not
  EXPECT_EQ(fk[0].table, "ch");
}

TEST_F(LintTest, CreatingAKeylessTableIsBlockedAKeyedOneIsNot) {
  auto f = LintChangeOf("", "CREATE TABLE k (a INT); CREATE TABLE ok (id INT PRIMARY KEY);");
  auto hits = Of(f, "no-primary-key");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].table, "k");
}

TEST_F(LintTest, AddingAColumnRunsNativelyInstantly) {
  auto f = LintChangeOf(kBase,
                        "CREATE TABLE t (id INT PRIMARY KEY, a INT, note VARCHAR(64), extra INT "
                        "DEFAULT 3 COMMENT 'new');");
  auto hits = Of(f, "runs-natively");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].severity, Severity::kNative);
  EXPECT_NE(hits[0].message.find("instantly"), std::string::npos) << hits[0].message;
  EXPECT_NE(hits[0].message.find("adds `extra` last"), std::string::npos) << hits[0].message;
}

TEST_F(LintTest, AddingAnIndexRunsNativelyInPlace) {
  auto f = LintChangeOf(
      kBase, "CREATE TABLE t (id INT PRIMARY KEY, a INT, note VARCHAR(64), KEY ia (a));");
  auto hits = Of(f, "runs-natively");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_NE(hits[0].message.find("in place"), std::string::npos) << hits[0].message;
}

TEST_F(LintTest, ChangingATypeDoesNotRunNatively) {
  auto f = LintChangeOf(kBase, "CREATE TABLE t (id INT PRIMARY KEY, a BIGINT, note VARCHAR(64));");
  EXPECT_TRUE(Of(f, "runs-natively").empty()) << Dump(f);
  auto g = LintChangeOf("CREATE TABLE u (id INT PRIMARY KEY, a INT);",
                        "CREATE TABLE u (id INT PRIMARY KEY, a INT NOT NULL);");
  EXPECT_TRUE(Of(g, "runs-natively").empty()) << Dump(g);
}

TEST_F(LintTest, AChangeReportsOnlyTheAdviceItIntroduces) {
  auto f = LintChangeOf("CREATE TABLE a (id INT PRIMARY KEY, price DOUBLE);",
                        "CREATE TABLE a (id INT PRIMARY KEY, price DOUBLE, fee FLOAT);");
  auto hits = Of(f, "float-money");
  ASSERT_EQ(hits.size(), 1u) << Dump(f);
  EXPECT_EQ(hits[0].column, "fee");
}

// --- pure pieces ---

TEST(LintRules, EveryRuleHasASeverityAndTheLadderIsOrdered) {
  EXPECT_EQ(LintRules().size(), 17u);
  for (size_t i = 1; i < LintRules().size(); ++i)
    EXPECT_LE(LintRules()[i - 1].severity, LintRules()[i].severity) << LintRules()[i].id;
  EXPECT_EQ(FindRule("nonsense"), nullptr);
  EXPECT_EQ(SeverityName(FindRule("runs-natively")->severity), "native");
}

TEST(LintWords, MoneyNamesAndReservedWords) {
  EXPECT_TRUE(LooksLikeMoney("price"));
  EXPECT_TRUE(LooksLikeMoney("unitPrice"));
  EXPECT_TRUE(LooksLikeMoney("total_2"));
  EXPECT_FALSE(LooksLikeMoney("latitude"));
  EXPECT_FALSE(LooksLikeMoney("totality"));
  EXPECT_TRUE(IsReservedWord("ORDER"));
  EXPECT_TRUE(IsReservedWord("rank"));
  EXPECT_FALSE(IsReservedWord("orders"));
}

TEST(LintFiles, CreateTableWithoutCharsetIsAdvised) {
  auto parsed =
      ParseSchemaFile("schema/shop/t.sql",
                      "CREATE TABLE bare (id INT PRIMARY KEY) ENGINE=InnoDB "
                      "COMMENT='charset later';\n"
                      "CREATE TABLE named (id INT PRIMARY KEY) DEFAULT CHARSET=utf8mb4;\n"
                      "CREATE TABLE collated (id INT PRIMARY KEY) COLLATE utf8mb4_bin;\n"
                      "CREATE TABLE cols (s VARCHAR(5) CHARACTER SET latin1 PRIMARY KEY);\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto f = LintSchemaFiles(*parsed);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].table, "bare");
  EXPECT_EQ(f[0].rule, "missing-charset");
  EXPECT_NE(f[0].message.find("schema/shop/t.sql:1:"), std::string::npos) << f[0].message;
  EXPECT_EQ(f[1].table, "cols");  // a column's charset is not the table's default
  EXPECT_EQ(TableOptionsText("CREATE TABLE t (a INT) ENGINE = InnoDB /* x */ COMMENT 'y'"),
            "engine innodb comment ");
}

TEST(LintVersion, ParsesMariaDbAndMysqlVersions) {
  ServerVersion m = ServerVersion::Parse("10.11.6-MariaDB-log");
  EXPECT_TRUE(m.mariadb);
  EXPECT_TRUE(m.AtLeast(10, 4));
  EXPECT_FALSE(m.AtLeast(11, 0));
  ServerVersion my = ServerVersion::Parse("8.0.36");
  EXPECT_FALSE(my.mariadb);
  EXPECT_EQ(my.patch, 36);
}

}  // namespace
}  // namespace ordo::schema
