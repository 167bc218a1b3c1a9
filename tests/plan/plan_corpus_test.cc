// Every case of tests/plan/corpus/ against a real MariaDB: each directory holds
// current.sql (the live tables) and desired.sql (the schema files); expected.sql, when
// present, is the plan's exact DDL. The plan is made and verified, applied to the live
// schema, and then SHOW CREATE TABLE of every table must equal the desired files' (as
// loaded in a scratch schema), and a second plan must be empty.
// ORDO_PLAN_CORPUS_REWRITE=1 rewrites the expected.sql files that exist from the plans
// made (review the diff before committing it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "plan_test_support.h"
#include "schema/diff.h"
#include "schema/files.h"
#include "schema/reader.h"
#include "schema/scratch.h"
#include "schema/verify.h"

namespace ordo::schema {
namespace {

using ordo::testing::ConnectTo;
using ordo::testing::ReadText;

std::vector<std::string> CaseNames() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(ORDO_SOURCE_DIR "/tests/plan/corpus"))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string Joined(const std::vector<TableChange>& changes) {
  std::string out;
  for (const TableChange& c : changes) out += c.statement + ";\n";
  return out;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class PlanCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(PlanCorpus, PlanAppliedGivesTheDesiredTablesAndASecondPlanIsEmpty) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto conn = ConnectTo(*server);
  ASSERT_NE(conn, nullptr);
  std::string dir = std::string(ORDO_SOURCE_DIR) + "/tests/plan/corpus/" + GetParam();
  std::string live_name = ordo::testing::UniqueName("plan_live");
  ASSERT_TRUE(
      ordo::testing::CreateSchemaFrom(*conn, live_name, ReadText(dir + "/current.sql")).ok());

  auto files_list = ParseSchemaFile(dir + "/desired.sql", ReadText(dir + "/desired.sql"));
  ASSERT_TRUE(files_list.ok()) << files_list.status().ToString();
  SchemaFiles files{*files_list, ""};
  auto scratch = ScratchSchema::Create(*conn);
  ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
  auto desired = LoadDesired(*conn, **scratch, files, nullptr);
  ASSERT_TRUE(desired.ok()) << desired.status().ToString();
  auto live = ReadSchema(*conn, live_name);
  ASSERT_TRUE(live.ok()) << live.status().ToString();

  std::vector<TableChange> changes = DiffSchemas(*live, *desired);
  std::string expected = ReadText(dir + "/expected.sql");
  if (!expected.empty() && std::getenv("ORDO_PLAN_CORPUS_REWRITE") != nullptr) {
    std::ofstream(dir + "/expected.sql") << Joined(changes);
  } else if (!expected.empty()) {
    EXPECT_EQ(Trimmed(Joined(changes)), Trimmed(expected));
  }
  Status verified = VerifyChanges(*conn, *live, *desired, changes, nullptr);
  ASSERT_TRUE(verified.ok()) << verified.ToString() << "\n" << Joined(changes);

  ASSERT_TRUE(conn->Execute("USE " + db::QuoteIdentifier(live_name)).ok());
  for (const TableChange& c : changes) {
    Status run = conn->Execute(c.statement);
    ASSERT_TRUE(run.ok()) << run.ToString() << "\n" << c.statement;
  }
  auto after = ReadSchema(*conn, live_name);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  std::vector<std::string> got_tables, want_tables;
  for (const auto& [name, t] : after->tables) got_tables.push_back(name);
  for (const auto& [name, t] : desired->tables) want_tables.push_back(name);
  EXPECT_EQ(got_tables, want_tables);
  for (const auto& [name, want] : desired->tables) {
    const TableDef* got = after->Find(name);
    if (got == nullptr) continue;
    EXPECT_EQ(NormalizeCreateTable(got->create_sql), NormalizeCreateTable(want.create_sql))
        << "table " << name << "\n"
        << Joined(changes);
  }
  std::vector<TableChange> again = DiffSchemas(*after, *desired);
  EXPECT_TRUE(again.empty()) << "second plan:\n" << Joined(again);

  EXPECT_TRUE((*scratch)->Drop().ok());
  EXPECT_TRUE(conn->Execute("DROP DATABASE " + db::QuoteIdentifier(live_name)).ok());
}

INSTANTIATE_TEST_SUITE_P(Corpus, PlanCorpus, ::testing::ValuesIn(CaseNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ordo::schema
