// The timeline's SVG (app/timeline_svg.h): well-formed XML (parsed by python3's
// xml.etree, which scripts/setup installs), one lane per deployment in deployment
// order, a segment per stretch, the marks and the handoffs, text escaped.
#include "app/timeline_svg.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "timeline_fixture.h"

namespace ordo::app {
namespace {

using testing::At;
using testing::TimelineFixture;

// What python3 reads from `svg`: "lanes|handoffs|marks|segment kinds", or the parse error.
std::string ParsedBy_python(const std::string& svg) {
  char path[] = "/tmp/ordo-timeline-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return "mkstemp failed";
  close(fd);
  std::ofstream(path) << svg;
  std::string cmd = std::string("python3 -c \"") +
                    "import sys, xml.etree.ElementTree as E\n"
                    "r = E.parse(sys.argv[1]).getroot(); ns = '{http://www.w3.org/2000/svg}'\n"
                    "g = [x for x in r.iter(ns + 'g')]\n"
                    "lanes = [x.get('data-deployment') for x in g if x.get('class') == 'lane']\n"
                    "kinds = [x.get('data-kind') for x in r.iter(ns + 'rect') if "
                    "x.get('class') == 'segment']\n"
                    "marks = [x for x in r.iter(ns + 'text') if x.get('class') == 'mark']\n"
                    "hand = [x for x in g if x.get('class') == 'handoff']\n"
                    "print(','.join(lanes) + '|' + str(len(hand)) + '|' + str(len(marks)) + '|' + "
                    "','.join(kinds))\" " +
                    path + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 512> buf{};
    while (fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
    pclose(p);
  }
  unlink(path);
  return out;
}

TEST(TimelineSvg, IsWellFormedXmlWithEachLaneInDeploymentOrder) {
  TimelineFixture f = TimelineFixture::ThreeCompleted();
  std::string svg = RenderTimelineSvg(BuildTimeline(f.view, f.events, At(100)));
  EXPECT_EQ(svg.rfind("<svg xmlns='http://www.w3.org/2000/svg'", 0), 0u);
  EXPECT_EQ(ParsedBy_python(svg),
            "us,eu,ap|2|3|copying,cutover,waiting,copying,parked,cutover,waiting,copying,"
            "parked,cutover\n");
  EXPECT_NE(svg.find("ap_t \u00b7 shop/prod \u00b7 completed"), std::string::npos);
  EXPECT_NE(svg.find("handoff 500 ms"), std::string::npos);
  EXPECT_NE(svg.find("<title>cutover, writes blocked 42 ms</title>"), std::string::npos);
  // Nothing outside the file: no scripts, no links.
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);
  EXPECT_EQ(svg.find("class='now'"), std::string::npos) << "a settled apply has no now line";
}

TEST(TimelineSvg, EscapesTextAndMarksNowWhileTheApplyRuns) {
  TimelineFixture f = TimelineFixture::CopyingFirst();
  f.view.operations[1].operation.deployment = "eu<&'\">";
  f.view.apply.error = "a & b";
  std::string svg = RenderTimelineSvg(BuildTimeline(f.view, f.events, At(20)));
  EXPECT_EQ(ParsedBy_python(svg), "us,eu<&'\">|0|0|copying,waiting\n");
  EXPECT_NE(svg.find("class='now'"), std::string::npos);
  EXPECT_NE(svg.find("(now, still running)"), std::string::npos);
}

TEST(XmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(XmlEscape("a<b>&'\"c"), "a&lt;b&gt;&amp;&apos;&quot;c");
}

}  // namespace
}  // namespace ordo::app
