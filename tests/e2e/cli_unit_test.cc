// Pieces of the CLI that need no process: the --ddl input and the live view's lines.
#include <gtest/gtest.h>

#include <sstream>

#include "app/ddl_input.h"
#include "cli/live_view.h"
#include "core/phase.h"

namespace ordo::cli {
namespace {

EnvironmentConfig Env() {
  EnvironmentConfig env;
  env.name = "prod";
  env.deployments = {{"eu-1", "mysql://ordo:pw@10.0.0.1:3306/shop"},
                     {"us-1", "mysql://ordo@10.0.0.2/shop_us"}};
  return env;
}

TEST(DdlInput, BuildsOneOperationPerDeploymentWithItsDatabaseAsSchema) {
  auto ops = app::BuildOperations(
      Env(), {"ALTER TABLE orders ADD COLUMN c INT", "ALTER TABLE users DROP COLUMN x"});
  ASSERT_TRUE(ops.ok()) << ops.status().ToString();
  ASSERT_EQ(ops->size(), 2u);
  EXPECT_EQ((*ops)[0].deployment, "eu-1");
  EXPECT_EQ((*ops)[1].deployment, "us-1");
  ASSERT_EQ((*ops)[1].changes.size(), 2u);
  EXPECT_EQ((*ops)[1].changes[0].schema_name, "shop_us");
  EXPECT_EQ((*ops)[1].changes[0].table_name, "orders");
  EXPECT_EQ((*ops)[1].changes[1].table_name, "users");
  EXPECT_EQ((*ops)[0].changes[1].ddl, "ALTER TABLE users DROP COLUMN x");
}

TEST(DdlInput, RefusesAnythingButOneAlterPerTable) {
  EXPECT_FALSE(app::BuildOperations(Env(), {}).ok());
  auto bad = app::BuildOperations(Env(), {"ALTER TABLE a ADD c INT", "CREATE TABLE b (id INT)"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--ddl #2"), std::string::npos) << bad.status().message();
  auto twice = app::BuildOperations(Env(), {"ALTER TABLE a ADD c INT", "ALTER TABLE a ADD d INT"});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("changed twice"), std::string::npos);
}

TEST(DdlInput, RefusesATableQualifiedWithAnotherDatabase) {
  auto other = app::BuildOperations(Env(), {"ALTER TABLE shop.orders ADD c INT"});
  ASSERT_FALSE(other.ok());  // us-1's database is shop_us
  EXPECT_NE(other.status().message().find("us-1"), std::string::npos) << other.status().message();
}

TEST(DdlInput, RefusesADeploymentWithoutDatabaseWithoutItsPassword) {
  EnvironmentConfig env = Env();
  env.deployments[0].dsn = "mysql://ordo:topsecret@10.0.0.1:3306";
  auto r = app::BuildOperations(env, {"ALTER TABLE t ADD c INT"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("eu-1"), std::string::npos);
  EXPECT_EQ(r.status().message().find("topsecret"), std::string::npos) << r.status().message();
}

app::ApplyView View() {
  app::ApplyView v;
  v.apply.external_id = "ap_1";
  v.apply.database = "shop";
  v.apply.environment = "prod";
  v.apply.state = ApplyState::kRunning;
  app::OperationView done;
  done.operation.id = 1;
  done.operation.deployment = "eu-1";
  done.operation.state = OperationState::kCompleted;
  done.operation.cutover_policy = "barrier";
  done.operation.on_failure = "halt";
  done.operation.cutover_completed_at = 1'700'000'000'000'000;
  ChangeRecord c;
  c.table_name = "orders";
  c.ddl = "ALTER TABLE orders ADD COLUMN c INT";
  c.rows_copied = c.rows_total = 1000;
  c.progress = 100;
  c.cutover_lock_ms = 42;
  done.changes.push_back(c);
  app::OperationView running = done;
  running.operation.id = 2;
  running.operation.deployment = "us-1";
  running.operation.state = OperationState::kRunning;
  running.operation.cutover_completed_at.reset();
  running.changes[0].rows_copied = 250;
  running.changes[0].progress = 25;
  running.changes[0].eta_seconds = 65;
  running.changes[0].cutover_lock_ms.reset();
  running.changes[0].state = "copying";
  app::OperationView ready = running;
  ready.operation.id = 3;
  ready.operation.deployment = "ap-1";
  ready.operation.state = OperationState::kWaitingForCutover;
  ready.changes[0].state = "in_sync";
  v.operations = {done, running, ready};
  return v;
}

TEST(LiveView, ShowsEachDeploymentInOrderWithProgressEtaAndCutoverFigures) {
  std::ostringstream out;
  LiveView view(out, /*tty=*/false);
  auto lines = view.Render(View());
  ASSERT_GE(lines.size(), 5u);
  EXPECT_NE(lines[0].find("ap_1"), std::string::npos);
  EXPECT_NE(lines[1].find("eu-1"), std::string::npos);
  EXPECT_NE(lines[1].find("100.0%"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("writes blocked 42 ms"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("orders"), std::string::npos);
  EXPECT_NE(lines[3].find("us-1"), std::string::npos);
  EXPECT_NE(lines[3].find(" 25.0%"), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find("ETA 1:05"), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find("copying"), std::string::npos) << lines[3];
  ASSERT_GE(lines.size(), 6u);
  EXPECT_NE(lines[5].find("waiting for its turn"), std::string::npos) << lines[5];
}

TEST(LiveView, OverallPercentWeighsEachTableByItsRows) {
  app::ApplyView v = View();
  app::OperationView& op = v.operations[1];
  ChangeRecord small = op.changes[0];
  small.table_name = "tiny";
  small.rows_copied = small.rows_total = 10;
  small.progress = 100;
  op.changes[0].rows_copied = 0;
  op.changes[0].rows_total = 990;
  op.changes[0].progress = 0;
  op.changes.push_back(small);
  std::ostringstream out;
  LiveView view(out, /*tty=*/false);
  auto lines = view.Render(v);
  EXPECT_NE(lines[3].find("  1.0%"), std::string::npos)
      << "10 of 1,000 rows, not the tables' 50%: " << lines[3];
}

TEST(LiveView, ARevertWindowShowsTheTimeLeftAndAPausedApplySaysHowToGoOn) {
  app::ApplyView v = View();
  app::OperationView& window = v.operations[0];
  window.operation.state = OperationState::kRevertWindow;
  const Micros swapped = *window.operation.cutover_completed_at;
  std::ostringstream out;
  LiveView view(out, /*tty=*/false, /*revert_window=*/600'000'000);
  auto lines = view.Render(v, swapped + 90'000'000);
  EXPECT_NE(lines[1].find("window 8:30 left"), std::string::npos) << lines[1];
  v.apply.state = ApplyState::kPaused;
  lines = view.Render(v, swapped);
  EXPECT_NE(lines.back().find("ordo release ap_1"), std::string::npos) << lines.back();
  view.Update(v, swapped);
  EXPECT_NE(out.str().find("ordo release ap_1"), std::string::npos) << out.str();
}

TEST(LiveView, EveryLineOfTheTerminalViewFitsTheWidth) {
  app::ApplyView v = View();
  v.operations[1].changes[0].ddl =
      "ALTER TABLE orders ADD COLUMN note_with_a_long_name VARCHAR(255) NOT NULL DEFAULT 'é…'";
  v.operations[2].swap_waiting = std::string(300, 'x');
  std::ostringstream out;
  LiveView view(out, /*tty=*/true);
  view.SetColumns(80);
  view.Update(v, 1'000'000);
  std::string text = out.str();
  size_t lines = 0;
  for (size_t at = text.find("\x1b[2K"); at != std::string::npos;
       at = text.find("\x1b[2K", at + 1)) {
    size_t end = text.find('\n', at);
    std::string line = text.substr(at + 4, end - at - 4);
    int chars = 0;
    for (unsigned char ch : line) chars += (ch & 0xC0) != 0x80;
    EXPECT_LE(chars, 80) << line;
    ++lines;
  }
  EXPECT_GE(lines, 6u);
  EXPECT_EQ(FitWidth("abcdef", 4), "abc\u2026");
  EXPECT_EQ(FitWidth("abcd", 4), "abcd");
  EXPECT_EQ(FitWidth("\u00e9\u00e9\u00e9\u00e9\u00e9", 3), "\u00e9\u00e9\u2026");
}

TEST(Phase, NamesTheStepThatRunsWhileTheStateSaysRunning) {
  OperationRecord op;
  ChangeRecord c;
  std::vector<ChangeRecord> changes{c};
  op.state = OperationState::kRunning;
  EXPECT_EQ(OperationPhase(op, changes), "starting");
  changes[0].state = "preflight";
  EXPECT_EQ(OperationPhase(op, changes), "starting");
  for (auto [engine, phase] :
       std::vector<std::pair<std::string, std::string>>{{"copying", "copying"},
                                                        {"indexing", "building_indexes"},
                                                        {"verifying", "verifying"},
                                                        {"in_sync", "in_sync"}}) {
    changes[0].state = engine;
    EXPECT_EQ(OperationPhase(op, changes), phase);
  }
  op.state = OperationState::kWaitingForCutover;
  EXPECT_EQ(OperationPhase(op, changes), "waiting_for_turn");
  EXPECT_EQ(HumanPhase(OperationPhase(op, changes)), "waiting for its turn");
  op.state = OperationState::kCuttingOver;
  EXPECT_EQ(OperationPhase(op, changes), "swapping");
  op.state = OperationState::kRevertWindow;
  EXPECT_EQ(HumanPhase(OperationPhase(op, changes)), "revert window");
  op.state = OperationState::kCompleted;
  op.cleanup_pending = true;  // its turn ended at the swap
  EXPECT_EQ(HumanPhase(OperationPhase(op, changes)), "dropping old table");
  op.cleanup_pending = false;
  EXPECT_EQ(OperationPhase(op, changes), "completed");
}

TEST(LiveView, PlainOutputPrintsStateChangesOnce) {
  std::ostringstream out;
  LiveView view(out, /*tty=*/false);
  view.Update(View(), 1'000'000);
  view.Update(View(), 2'000'000);
  std::string text = out.str();
  EXPECT_EQ(text.find("us-1: copying"), text.rfind("us-1: copying")) << text;
  EXPECT_NE(text.find("us-1: copying"), std::string::npos) << text;
  EXPECT_NE(text.find("writes blocked 42 ms"), std::string::npos) << text;
  EXPECT_EQ(text.find("\x1b["), std::string::npos) << "no escape codes off a terminal";
}

TEST(LiveView, ASwapThatCannotFindItsTableFreeSaysWhoHoldsIt) {
  app::ApplyView v = View();
  app::OperationView& swapping = v.operations[2];
  swapping.operation.state = OperationState::kCuttingOver;
  std::ostringstream out;
  LiveView view(out, /*tty=*/false);
  view.Update(v, 1'000'000);  // the state change
  swapping.swap_waiting =
      "swap attempt 1 gave up: session 42 (app@10.0.0.5, 7 s in a transaction): UPDATE orders";
  view.Update(v, 2'000'000);
  view.Update(v, 3'000'000);
  std::string text = out.str();
  size_t at = text.find("ap-1: swap attempt 1 gave up: session 42");
  EXPECT_NE(at, std::string::npos) << text;
  EXPECT_EQ(at, text.rfind("ap-1: swap attempt 1 gave up")) << "printed once: " << text;
  auto lines = view.Render(v);
  bool shown = false;
  for (const auto& l : lines)
    shown =
        shown || (l.find("ap-1") != std::string::npos && l.find("session 42") != std::string::npos);
  EXPECT_TRUE(shown);
  EXPECT_EQ(ApplyDocument(v)["operations"][2]["swap_waiting"], *swapping.swap_waiting);
  EXPECT_TRUE(ApplyDocument(v)["operations"][1]["swap_waiting"].is_null());
}

TEST(LiveView, HumanUnits) {
  EXPECT_EQ(HumanCount(950), "950");
  EXPECT_EQ(HumanCount(12'345), "12.3k");
  EXPECT_EQ(HumanCount(2'500'000), "2.5M");
  EXPECT_EQ(HumanDuration(65), "1:05");
  EXPECT_EQ(HumanDuration(3723), "1:02:03");
}

}  // namespace
}  // namespace ordo::cli
