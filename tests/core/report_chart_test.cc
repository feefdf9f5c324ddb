// The report's chart arithmetic and drawing, called directly: scales, ticks,
// gaps, a single point, the whole 0-10 pain axis, the band of no meaningful
// change, and escaping of every text that comes from the record.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "core/chart_geometry.h"
#include "core/report_charts.h"
#include "core/report_page.h"
#include "core/report_summary.h"
#include "core/svg.h"

namespace scoliomassage::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

v1::Outcome Session(int number, int before, int after, int day = 0) {
  v1::Outcome outcome;
  outcome.set_patient_id("p-1");
  outcome.set_therapist_id("t-1");
  outcome.set_protocol_id("lumbar-c-curve");
  outcome.set_session_number(number);
  outcome.set_minutes(15 + number);
  outcome.set_pain_before(before);
  outcome.set_pain_after(after);
  // 2026-11-01T10:00:00Z plus `day` days.
  outcome.mutable_performed_at()->set_seconds(1793527200 + int64_t{day} * 86400);
  return outcome;
}

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(LinearScaleTest, MapsEndsAndMiddleAndInvertedRanges) {
  const LinearScale y{0, 10, 278, 62};
  EXPECT_DOUBLE_EQ(y.Map(0), 278);
  EXPECT_DOUBLE_EQ(y.Map(10), 62);
  EXPECT_DOUBLE_EQ(y.Map(5), 170);
  const LinearScale flat{3, 3, 0, 100};
  EXPECT_DOUBLE_EQ(flat.Map(3), 50);  // no division by zero
}

TEST(NiceTicksTest, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_THAT(NiceTicks(0, 10, 6), ElementsAre(0, 2, 4, 6, 8, 10));
  EXPECT_THAT(NiceTicks(0, 40, 6), ElementsAre(0, 10, 20, 30, 40));
  EXPECT_THAT(NiceTicks(0, 45, 6), ElementsAre(0, 10, 20, 30, 40, 50));
  EXPECT_THAT(NiceTicks(0.1, 0.9, 5), ElementsAre(0, 0.5, 1.0));  // at most 5: not 0.2 steps
  const auto fine = NiceTicks(0.1, 0.9, 6);
  ASSERT_EQ(fine.size(), 6u);
  EXPECT_NEAR(fine[1] - fine[0], 0.2, 1e-12);
  EXPECT_NEAR(fine.back(), 1.0, 1e-12);
  EXPECT_THAT(NiceTicks(3, 3, 5), ElementsAre(3));
  // Covers the data and never exceeds the count by more than one.
  for (double hi : {7.0, 13.0, 99.0, 120.0, 1234.0}) {
    const auto ticks = NiceTicks(0, hi, 6);
    EXPECT_LE(ticks.front(), 0);
    EXPECT_GE(ticks.back(), hi);
    EXPECT_LE(ticks.size(), 7u) << hi;
  }
}

TEST(PainAxisTest, ZeroAndTenAreAlwaysOnTheAxis) {
  const auto ticks = PainTicks();
  EXPECT_EQ(ticks.front(), kPainScaleMin);
  EXPECT_EQ(ticks.back(), kPainScaleMax);
  // Even when every value is 4 or 5 the chart shows the whole scale.
  const std::string svg = PainChartSvg({Session(1, 5, 4), Session(2, 4, 4)}, false);
  EXPECT_THAT(svg, HasSubstr(">0</text>"));
  EXPECT_THAT(svg, HasSubstr(">10</text>"));
}

TEST(SessionTicksTest, WholeSessionsWithinTheRangeStartingAtTheFirst) {
  EXPECT_THAT(SessionTicks(1, 5, 10), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(SessionTicks(1, 200, 10), ElementsAre(1, 50, 100, 150, 200));
  EXPECT_THAT(SessionTicks(1, 200, 12), ElementsAre(1, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200));
  EXPECT_THAT(SessionTicks(3, 4, 10), ElementsAre(3, 4));  // never 3.5
  EXPECT_THAT(SessionTicks(7, 7, 10), ElementsAre(7));
}

TEST(LineSegmentsTest, AMissingSessionOrValueBreaksTheLine) {
  const std::vector<SeriesPoint> points = {{1, 5.0}, {2, 4.0}, {4, 3.0}, {5, std::nullopt},
                                           {6, 2.0}, {7, 2.0}};
  const auto runs = LineSegments(points);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].size(), 2u);  // 1-2
  EXPECT_EQ(runs[1].size(), 1u);  // 4 alone: session 3 missing, 5 has no value
  EXPECT_EQ(runs[2].size(), 2u);  // 6-7
  EXPECT_TRUE(LineSegments({}).empty());
}

TEST(PainChartTest, GapsAreGapsNotInterpolatedLines) {
  // Sessions 1, 2, then 5, 6: two polylines per series, and 3 and 4 shaded.
  const std::string svg =
      PainChartSvg({Session(1, 6, 4), Session(2, 6, 3), Session(5, 4, 2), Session(6, 3, 2)}, false);
  EXPECT_EQ(Count(svg, "<polyline"), 4);
  EXPECT_THAT(svg, HasSubstr("Session 3 not logged"));
  EXPECT_THAT(svg, HasSubstr("Session 4 not logged"));
  EXPECT_EQ(Count(svg, "<circle"), 4 + 1);  // four points and the legend's marker
  EXPECT_THAT(MissingSessions({Session(1, 6, 4), Session(2, 6, 3), Session(5, 4, 2)}),
              ElementsAre(3, 4));
}

TEST(PainChartTest, OnePointIsNotEnoughDataForATrend) {
  const std::string svg = PainChartSvg({Session(1, 6, 3)}, false);
  EXPECT_THAT(svg, HasSubstr("Not enough data for a trend"));
  EXPECT_EQ(Count(svg, "<polyline"), 0);
  EXPECT_THAT(EpisodeSummary({Session(1, 6, 3)}), HasSubstr("Not enough data"));
  EXPECT_THAT(EpisodeSummary({}), HasSubstr("not enough data"));
  const std::string two = PainChartSvg({Session(1, 6, 3), Session(2, 5, 3)}, false);
  EXPECT_THAT(two, Not(HasSubstr("Not enough data")));
}

TEST(PainChartTest, EverySvgHasATitleAndADescription) {
  for (const std::string& svg :
       {PainChartSvg({Session(1, 6, 3)}, true), DoseChartSvg({Session(1, 6, 3)}),
        PainChartSvg({}, false), DoseChartSvg({})}) {
    EXPECT_THAT(svg, HasSubstr("<title id="));
    EXPECT_THAT(svg, HasSubstr("<desc id="));
    EXPECT_THAT(svg, HasSubstr("viewBox=\"0 0 480 300\""));
  }
  EXPECT_EQ(PainChartSvg({}, true).rfind("<?xml", 0), 0u);
}

TEST(SummaryTest, SentencesFollowTheOneMeaningfulChangeRule) {
  std::vector<v1::Outcome> falling;
  const int pains[] = {6, 6, 5, 5, 4, 4, 3, 3};
  for (int i = 0; i < 8; ++i) falling.push_back(Session(i + 1, pains[i], pains[i] - 1, i * 7));
  EXPECT_EQ(EpisodeSummary(falling),
            "Pre-session pain fell from 6 to 3 over 8 sessions: a meaningful improvement.");
  EXPECT_EQ(EpisodeSummary({Session(1, 8, 8), Session(2, 7, 7)}),
            "Pre-session pain fell from 8 to 7 over 2 sessions: less than a meaningful change "
            "(2 points or 30%).");
  EXPECT_EQ(EpisodeSummary({Session(1, 3, 3), Session(2, 6, 6)}),
            "Pre-session pain rose from 3 to 6 over 2 sessions: a meaningful worsening.");
  EXPECT_THAT(EpisodeSummary({Session(1, 4, 4), Session(2, 4, 4)}), HasSubstr("no change"));
}

TEST(SummaryTest, BandHoldsExactlyThePainsThatAreNotAMeaningfulChange) {
  // From 6: 5 is not a meaningful fall, 4 is (2 points); 7 is not a
  // meaningful rise (7 -> 6 is 1 point, 14%), 8 is.
  const PainBand six = NoMeaningfulChangeBand(6);
  EXPECT_DOUBLE_EQ(six.low, 4.5);
  EXPECT_DOUBLE_EQ(six.high, 7.5);
  // From 3: 2 is already a meaningful fall (33%); 4 is not a meaningful rise.
  const PainBand three = NoMeaningfulChangeBand(3);
  EXPECT_DOUBLE_EQ(three.low, 2.5);
  EXPECT_DOUBLE_EQ(three.high, 4.5);
  // Clipped to the scale.
  EXPECT_DOUBLE_EQ(NoMeaningfulChangeBand(0).low, 0);
  EXPECT_DOUBLE_EQ(NoMeaningfulChangeBand(10).high, 10);
}

TEST(EscapeTest, TextFromTheRecordCannotBreakOutOfTheMarkup) {
  EXPECT_EQ(EscapeXml("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
  EXPECT_EQ(EscapeXml(std::string("a\x01" "b\tc", 5)), "ab\tc");
  ReportInput input;
  input.patient_id = "<script>alert(1)</script>";
  input.generated_at_us = 1793527200000000;
  v1::Outcome session = Session(1, 6, 3);
  session.set_therapist_id("t\"><img src=x onerror=alert(2)>");
  v1::AdverseEvent* event = session.add_adverse_events();
  event->set_type(v1::ADVERSE_EVENT_TYPE_BRUISING);
  event->set_severity(v1::SEVERITY_MILD);
  event->set_description("</td></tr><script>x()</script>");
  input.sessions = {session};
  const std::string html = RenderReportHtml(input);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("bruising (mild): &lt;/td&gt;"));
}

TEST(PageTest, SelfContainedAndHonest) {
  ReportInput input;
  input.patient_id = "p-1";
  input.generated_at_us = 1793527200000000;
  input.sessions = {Session(1, 6, 4), Session(2, 5, 3, 7)};
  const std::string html = RenderReportHtml(input);
  // Nothing is fetched or run.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, HasSubstr("@page{size:A4"));
  EXPECT_THAT(html, HasSubstr("a change in pain does not mean the scoliosis curve"));
  EXPECT_THAT(html, HasSubstr("No films recorded."));
  EXPECT_THAT(html, HasSubstr("No questionnaires recorded."));
  EXPECT_THAT(html, HasSubstr("2026-11-01"));
  EXPECT_THAT(html, HasSubstr("2026-11-08"));
  // Every <svg> has its <title>.
  EXPECT_EQ(Count(html, "<svg"), 2);
  EXPECT_EQ(Count(html, "<svg"), Count(html, "<title id="));
}

}  // namespace
}  // namespace scoliomassage::core
