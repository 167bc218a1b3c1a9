// The rollout timeline model (app/timeline.h) and its JSON (api/timeline_document.h),
// on constructed views and event logs.
#include "app/timeline.h"

#include <gtest/gtest.h>

#include "api/timeline_document.h"
#include "timeline_fixture.h"

namespace ordo::app {
namespace {

using testing::At;
using testing::TimelineFixture;

std::vector<std::string> Kinds(const TimelineLane& lane) {
  std::vector<std::string> out;
  for (const auto& s : lane.segments) out.emplace_back(ToString(s.kind));
  return out;
}

TEST(Timeline, CompletedRolloutHasOneLanePerDeploymentInOrderAndTheHandoffs) {
  TimelineFixture f = TimelineFixture::ThreeCompleted();
  Timeline t = BuildTimeline(f.view, f.events, At(100));
  ASSERT_EQ(t.lanes.size(), 3u);
  EXPECT_EQ(t.lanes[0].deployment, "us");
  EXPECT_EQ(t.lanes[1].deployment, "eu");
  EXPECT_EQ(t.lanes[2].deployment, "ap");
  EXPECT_EQ(t.lanes[2].position, 2);
  // us starts at once; eu and ap wait for their copies (rolling).
  EXPECT_EQ(Kinds(t.lanes[0]), (std::vector<std::string>{"copying", "cutover", "completed"}));
  EXPECT_EQ(Kinds(t.lanes[1]),
            (std::vector<std::string>{"waiting", "copying", "parked", "cutover", "completed"}));
  const TimelineSegment& cut = t.lanes[0].segments[1];
  EXPECT_EQ(cut.start, At(10));
  EXPECT_EQ(cut.end, At(11));
  EXPECT_EQ(cut.lock_ms, 42);
  EXPECT_EQ(cut.label, "cutover, writes blocked 42 ms");
  const TimelineSegment& done = t.lanes[0].segments[2];
  EXPECT_EQ(done.start, At(11));
  EXPECT_EQ(done.end, At(11));  // a mark
  const TimelineSegment& copy = t.lanes[0].segments[0];
  EXPECT_EQ(copy.rows_copied, 1000);
  EXPECT_EQ(copy.rows_total, 1000);
  EXPECT_EQ(copy.percent, 100.0);
  EXPECT_EQ(copy.label, "copied 1000 rows");
  ASSERT_EQ(t.handoffs.size(), 2u);
  EXPECT_EQ(t.handoffs[0].from, "us");
  EXPECT_EQ(t.handoffs[0].to, "eu");
  EXPECT_EQ(t.handoffs[0].gap_ms, 500);
  EXPECT_EQ(t.handoffs[1].gap_ms, 250);
  EXPECT_EQ(t.end, At(31));
  EXPECT_EQ(TimelineEnd(t), At(31));
}

TEST(Timeline, RunningCopyIsOpenWithItsPercentAndLaterDeploymentsWait) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  Timeline t = BuildTimeline(f.view, f.events, At(20));
  ASSERT_EQ(t.lanes.size(), 2u);
  const TimelineSegment& copy = t.lanes[0].segments.back();
  EXPECT_EQ(copy.kind, SegmentKind::kCopying);
  EXPECT_FALSE(copy.end);
  EXPECT_EQ(copy.percent, 45.0);
  EXPECT_EQ(copy.rows_copied, 450);
  EXPECT_EQ(copy.label, "copying 45%");
  EXPECT_EQ(Kinds(t.lanes[1]), (std::vector<std::string>{"waiting"}));
  EXPECT_FALSE(t.lanes[1].segments[0].end);
  EXPECT_FALSE(t.end);
  EXPECT_TRUE(t.handoffs.empty());
}

TEST(Timeline, TheEngineStepRunningNowNamesTheOpenSegment) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.view.operations[0].changes[0].state = "indexing";
  EXPECT_EQ(BuildTimeline(f.view, f.events, At(20)).lanes[0].segments.back().kind,
            SegmentKind::kBuildingIndexes);
  f.view.operations[0].changes[0].state = "verifying";
  EXPECT_EQ(BuildTimeline(f.view, f.events, At(20)).lanes[0].segments.back().kind,
            SegmentKind::kVerifying);
}

TEST(Timeline, FailedDeploymentEndsWithAMarkCarryingTheError) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.Move(0, 15, "running", "failed");
  f.view.operations[0].operation.error = "checksum mismatch";
  Timeline t = BuildTimeline(f.view, f.events, At(20));
  const TimelineSegment& end = t.lanes[0].segments.back();
  EXPECT_EQ(end.kind, SegmentKind::kFailed);
  EXPECT_EQ(end.start, At(15));
  EXPECT_EQ(end.end, At(15));
  EXPECT_EQ(end.error, "checksum mismatch");
  EXPECT_EQ(end.label, "failed: checksum mismatch");
  EXPECT_EQ(t.lanes[0].segments[0].end, At(15));  // the copy ended there
}

TEST(Timeline, StoppedStaysOpenAndCancelledIsAMark) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.Move(0, 12, "running", "stopped");
  f.Move(1, 13, "pending", "cancelled");
  Timeline t = BuildTimeline(f.view, f.events, At(20));
  EXPECT_EQ(Kinds(t.lanes[0]), (std::vector<std::string>{"copying", "stopped"}));
  EXPECT_FALSE(t.lanes[0].segments.back().end);
  EXPECT_EQ(Kinds(t.lanes[1]), (std::vector<std::string>{"waiting", "cancelled"}));
  EXPECT_EQ(t.lanes[1].segments.back().end, At(13));
}

TEST(Timeline, OpenRevertWindowSaysTheSecondsLeftWhenItsLengthIsKnown) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.Move(0, 8, "running", "waiting_for_cutover");
  f.Move(0, 9, "waiting_for_cutover", "cutting_over");
  f.Move(0, 10, "cutting_over", "revert_window");
  OperationRecord& op = f.view.operations[0].operation;
  op.cutover_started_at = At(9);
  op.cutover_completed_at = At(10);
  Timeline t = BuildTimeline(f.view, f.events, At(20), 60'000'000);
  const TimelineSegment& w = t.lanes[0].segments.back();
  EXPECT_EQ(w.kind, SegmentKind::kRevertWindow);
  EXPECT_FALSE(w.end);
  EXPECT_EQ(w.seconds_left, 50);
  EXPECT_EQ(w.label, "revert window, 0:50 left");
  EXPECT_FALSE(BuildTimeline(f.view, f.events, At(20)).lanes[0].segments.back().seconds_left);
}

TEST(Timeline, SwapInFlightSaysWhyItWaits) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.Move(0, 8, "running", "waiting_for_cutover");
  f.Move(0, 9, "waiting_for_cutover", "cutting_over");
  f.view.operations[0].swap_waiting = "swap attempt 2 gave up: session 812 holds orders";
  Timeline t = BuildTimeline(f.view, f.events, At(20));
  const TimelineSegment& s = t.lanes[0].segments.back();
  EXPECT_EQ(s.kind, SegmentKind::kCutover);
  EXPECT_FALSE(s.end);
  EXPECT_EQ(s.label, "swapping: swap attempt 2 gave up: session 812 holds orders");
}

TEST(Timeline, ReclaimsInTheSameStateAndUnknownStatesMoveNothing) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.Move(0, 11, "running", "running");  // a stale lease recovered
  f.Move(0, 12, "running", "bogus");
  Timeline t = BuildTimeline(f.view, f.events, At(20));
  EXPECT_EQ(Kinds(t.lanes[0]), (std::vector<std::string>{"copying"}));
}

TEST(Timeline, WithoutEventsTheRecordsTimestampsDrawTheLane) {
  TimelineFixture f = TimelineFixture::ThreeCompleted();
  Timeline t = BuildTimeline(f.view, {}, At(100));
  EXPECT_EQ(Kinds(t.lanes[1]),
            (std::vector<std::string>{"waiting", "copying", "cutover", "completed"}));
  EXPECT_EQ(t.lanes[1].segments[2].start, At(11) + 500'000);
}

TEST(Timeline, NowBeforeTheStoresLatestTimeIsTakenAsThatTime) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  EXPECT_EQ(BuildTimeline(f.view, f.events, At(1)).now, At(5));
}

TEST(TimelineDocument, HasTheContractFieldsWithNullForOpenEnds) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  nlohmann::json doc = TimelineDocument(BuildTimeline(f.view, f.events, At(20)));
  EXPECT_EQ(doc["apply"], "ap_t");
  EXPECT_EQ(doc["state"], "running");
  EXPECT_EQ(doc["start"], "2027-01-15T08:00:00.000000Z");
  EXPECT_EQ(doc["now"], "2027-01-15T08:00:20.000000Z");
  EXPECT_TRUE(doc["end"].is_null());
  const nlohmann::json& lane = doc["lanes"][0];
  EXPECT_EQ(lane["deployment"], "us");
  EXPECT_EQ(lane["position"], 0);
  EXPECT_EQ(lane["state"], "running");
  EXPECT_EQ(lane["phase"], "copying");
  const nlohmann::json& s = lane["segments"][0];
  for (const char* key : {"kind", "start", "end", "label", "rows_copied", "rows_total", "percent",
                          "lock_ms", "error", "seconds_left"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["kind"], "copying");
  EXPECT_TRUE(s["end"].is_null());
  EXPECT_EQ(s["rows_total"], 1000);
  EXPECT_TRUE(s["lock_ms"].is_null());
  EXPECT_TRUE(doc["handoffs"].is_array());
}

}  // namespace
}  // namespace ordo::app
