// The terminal timeline (cli/timeline_render.h): the exact plain drawing of fixed
// timelines, its width, and colour only when asked.
#include "cli/timeline_render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "app/timeline_svg.h"
#include "timeline_fixture.h"

namespace ordo::cli {
namespace {

using ordo::testing::At;
using ordo::testing::TimelineFixture;

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Characters, not bytes, with colour escapes left out.
size_t Columns(const std::string& line) {
  size_t n = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {
      i = line.find('m', i);
      continue;
    }
    n += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
  }
  return n;
}

TEST(TimelineRender, CompletedRolloutDrawsLanesAxisLegendHandoffsAndSummaries) {
  TimelineFixture f = TimelineFixture::ThreeCompleted();
  EXPECT_EQ(Joined(RenderTimeline(app::BuildTimeline(f.view, f.events, At(100)), {60, false})),
            "ap_t  shop/prod  completed  0:31\n"
            "      08:00:00Z              08:00:15Z             08:00:31Z\n"
            "us    ░░░░░░░░░░░░░░░░░██✔\n"
            "eu    ·░░░░░░░░░░░░▒▒▒▒▒▒████████████████✔\n"
            "ap    ···░░░░░░░░░░░░▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒███████████████████✔\n"
            "· waiting  ░ copying  ▄ building indexes  ▀ verifying\n"
            "▒ parked  █ cutover  ▓ revert window  ╌ retrying  ‖ stopped\n"
            "✔ completed  ✗ failed  ⊘ cancelled  ↺ reverted\n"
            "handoffs: us → eu 500 ms; eu → ap 250 ms\n"
            "  us  completed  1000/1000 rows  writes blocked 42 ms\n"
            "  eu  completed  1000/1000 rows  writes blocked 43 ms\n"
            "  ap  completed  1000/1000 rows  writes blocked 44 ms\n");
}

TEST(TimelineRender, RunningRolloutDrawsOpenLanesToNow) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.view.operations[0].operation.error = std::nullopt;
  EXPECT_EQ(Joined(RenderTimeline(app::BuildTimeline(f.view, f.events, At(20)), {40, false})),
            "ap_t  shop/prod  running  0:20 so far\n"
            "      08:00:00Z    08:00:10Z   08:00:20Z\n"
            "us    ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░\n"
            "eu    ·································\n"
            "· waiting  ░ copying  ▄ building indexes\n"
            "▀ verifying  ▒ parked  █ cutover\n"
            "▓ revert window  ╌ retrying  ‖ stopped\n"
            "✔ completed  ✗ failed  ⊘ cancelled\n"
            "↺ reverted\n"
            "  us  copying  450/1000 rows (45%)\n"
            "  eu  pending\n");
}

TEST(TimelineRender, ASwapShorterThanACellStillGetsOne) {
  TimelineFixture f = TimelineFixture::ThreeCompleted();
  // us swaps in 40 ms of a 31 s rollout drawn in 20 cells.
  f.view.operations[0].operation.cutover_completed_at = At(10.04);
  f.events[2].at = At(10.04);
  std::vector<std::string> lines =
      RenderTimeline(app::BuildTimeline(f.view, f.events, At(100)), {30, false});
  EXPECT_NE(lines[2].find("\u2588"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("\u2714"), std::string::npos) << lines[2];
}

TEST(TimelineRender, FailedLaneShowsItsMarkAndError) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.Move(0, 15, "running", "failed");
  f.view.operations[0].operation.error = "checksum mismatch";
  std::string out =
      Joined(RenderTimeline(app::BuildTimeline(f.view, f.events, At(20)), {60, false}));
  EXPECT_NE(out.find("\u2717"), std::string::npos) << out;
  EXPECT_NE(out.find("  us  failed  450/1000 rows  error: checksum mismatch\n"), std::string::npos)
      << out;
}

TEST(TimelineRender, SummaryNamesNeverRunIntoThePhase) {
  TimelineFixture f = TimelineFixture::ThreeCompleted();
  f.view.operations[2].operation.deployment = "ap-south";
  std::vector<std::string> lines =
      RenderTimeline(app::BuildTimeline(f.view, f.events, At(100)), {80, false});
  EXPECT_EQ(lines.back(), "  ap-south completed  1000/1000 rows  writes blocked 44 ms");
  EXPECT_EQ(lines[lines.size() - 3], "  us       completed  1000/1000 rows  writes blocked 42 ms");
}

TEST(TimelineRender, EveryLineFitsTheWidthAndColourOnlyWhenAsked) {
  TimelineFixture f = TimelineFixture::ThreeCompleted();
  app::Timeline t = app::BuildTimeline(f.view, f.events, At(100));
  for (int columns : {20, 33, 80, 200}) {
    for (bool color : {false, true}) {
      for (const std::string& line : RenderTimeline(t, {columns, color}))
        EXPECT_LE(Columns(line), static_cast<size_t>(columns)) << columns << ": " << line;
    }
  }
  EXPECT_EQ(Joined(RenderTimeline(t, {80, false})).find('\x1b'), std::string::npos);
  EXPECT_NE(Joined(RenderTimeline(t, {80, true})).find("\x1b[35m\u2588"), std::string::npos);
}

// A figure for docs/benchmarks.md, not a check: the median time to build the timeline of
// a 50-deployment rollout from its records and events, and to draw it in a terminal and
// as SVG.
TEST(TimelineRender, FiftyDeploymentRolloutFigure) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.view.operations.clear();
  f.events.clear();
  for (int i = 0; i < 50; ++i) {
    f.Add("deployment-" + std::to_string(i), OperationState::kPending, 1000, 1000);
    f.Move(i, i, "pending", "running");
    f.Move(i, i + 5, "running", "waiting_for_cutover");
    f.Move(i, 60 + i, "waiting_for_cutover", "cutting_over");
    f.Move(i, 60.5 + i, "cutting_over", "completed");
  }
  std::vector<double> build_us, text_us, svg_us;
  size_t sink = 0;
  for (int round = 0; round < 21; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    app::Timeline t = app::BuildTimeline(f.view, f.events, At(200));
    auto t1 = std::chrono::steady_clock::now();
    sink += RenderTimeline(t, {120, true}).size();
    auto t2 = std::chrono::steady_clock::now();
    sink += app::RenderTimelineSvg(t).size();
    auto t3 = std::chrono::steady_clock::now();
    auto us = [](auto a, auto b) {
      return std::chrono::duration<double, std::micro>(b - a).count();
    };
    build_us.push_back(us(t0, t1));
    text_us.push_back(us(t1, t2));
    svg_us.push_back(us(t2, t3));
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  std::cout << "[ figure ] 50 deployments, 200 events: build " << median(build_us)
            << " us, terminal (120 columns) " << median(text_us) << " us, SVG " << median(svg_us)
            << " us (medians of 21)\n";
  EXPECT_GT(sink, 0u);
}

}  // namespace
}  // namespace ordo::cli
