// The comparison's forest plot and page, called directly: the value axis and
// clipping, where points and whiskers land, withheld and suppressed groups as
// words (never a point or a 0), one group, no plot at all, a title and desc
// in every SVG, the tables printing the same figures as the plot, and
// escaping of every text from the request and the response.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "core/chart_geometry.h"
#include "core/comparison_figures.h"
#include "core/comparison_page.h"
#include "core/forest_plot.h"

namespace scoliomassage::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The drawing's horizontal extent (forest_plot.cc): the axis maps onto it.
constexpr double kLeft = 16, kRight = 464;

v1::ProtocolComparisonGroup Shown(const std::string& name, int patients, int episodes,
                                  double mean, double low, double high, int n = 0) {
  v1::ProtocolComparisonGroup group;
  group.set_group(name);
  group.set_visibility(v1::GROUP_VISIBILITY_SHOWN);
  group.set_patient_count(patients);
  group.set_episode_count(episodes);
  group.set_session_count(episodes * 6);
  auto* change = group.mutable_pain_change();
  change->set_n(n ? n : episodes);
  change->set_mean(mean);
  change->set_sd(1.5);
  change->mutable_ci95()->set_low(low);
  change->mutable_ci95()->set_high(high);
  auto* responders = group.mutable_responders();
  responders->set_n(change->n());
  responders->set_successes(change->n() / 2);
  responders->set_proportion(0.5);
  responders->mutable_ci95()->set_low(0.3);
  responders->mutable_ci95()->set_high(0.7);
  auto* events = group.mutable_adverse_events();
  events->set_events(0);
  events->set_sessions(group.session_count());
  events->set_per_100_sessions(0);
  events->mutable_ci95()->set_low(0);
  events->mutable_ci95()->set_high(3.69 * 100 / group.session_count());
  for (auto* m : {group.mutable_baseline_pain(), group.mutable_baseline_age_years(),
                  group.mutable_baseline_cobb_degrees()}) {
    m->set_n(episodes);
    m->set_mean(5);
    m->mutable_ci95()->set_low(4);
    m->mutable_ci95()->set_high(6);
  }
  return group;
}

v1::ProtocolComparisonGroup NotEnough(const std::string& name, int patients, int episodes) {
  v1::ProtocolComparisonGroup group;
  group.set_group(name);
  group.set_visibility(v1::GROUP_VISIBILITY_NOT_ENOUGH_DATA);
  group.set_patient_count(patients);
  group.set_episode_count(episodes);
  group.set_session_count(episodes * 3);
  return group;
}

v1::ProtocolComparisonGroup Suppressed(const std::string& name) {
  v1::ProtocolComparisonGroup group;
  group.set_group(name);
  group.set_visibility(v1::GROUP_VISIBILITY_SUPPRESSED);
  return group;
}

v1::CompareProtocolsResponse TwoGroups() {
  v1::CompareProtocolsResponse response;
  *response.add_groups() = Shown("thoracic-c-curve", 14, 20, -2.1, -2.9, -1.3);
  *response.add_groups() = Shown("lumbar-c-curve", 12, 16, -0.4, -1.2, 0.6);
  *response.add_groups() = NotEnough("thoracic-s-curve", 5, 7);
  auto* d = response.mutable_pain_change_difference();
  d->set_first_group("thoracic-c-curve");
  d->set_second_group("lumbar-c-curve");
  d->set_difference(-1.7);
  d->mutable_ci95()->set_low(-2.9);
  d->mutable_ci95()->set_high(-0.5);
  auto* r = response.mutable_responder_difference();
  r->set_first_group("thoracic-c-curve");
  r->set_second_group("lumbar-c-curve");
  r->set_difference(0.25);
  r->mutable_ci95()->set_low(-0.08);
  r->mutable_ci95()->set_high(0.52);
  response.add_caveats(
      "Observational comparison: patients were not assigned to protocols at random.");
  response.add_caveats("At baseline, mean age differed: 14.0 years in thoracic-c-curve vs 31.0 "
                       "years in lumbar-c-curve.");
  response.set_total_patient_count(31);
  response.set_total_episode_count(43);
  response.set_method("Student t for means.\nWilson for proportions.");
  response.mutable_compute_time()->set_seconds(1796184000);  // 2026-12-02T04:00:00Z
  return response;
}

struct Row {
  std::string kind, label, body;
};

// The text from `start` (inclusive) to the first `end` after it (inclusive),
// searching from `from`; empty when absent. Plain finds, not std::regex,
// which recurses per character on long matches.
std::string Slice(const std::string& text, const std::string& start, const std::string& end,
                  size_t from = 0) {
  const size_t a = text.find(start, from);
  if (a == std::string::npos) return "";
  const size_t b = text.find(end, a + start.size());
  if (b == std::string::npos) return "";
  return text.substr(a, b + end.size() - a);
}

// The drawn rows: <g class="row KIND" data-label="LABEL">BODY</g>.
std::vector<Row> Rows(const std::string& svg) {
  std::vector<Row> rows;
  const std::string open = "<g class=\"row ";
  for (size_t at = svg.find(open); at != std::string::npos; at = svg.find(open, at + 1)) {
    const size_t kind_end = svg.find('"', at + open.size());
    const size_t label_start = svg.find("data-label=\"", kind_end) + 12;
    const size_t label_end = svg.find('"', label_start);
    const size_t body_start = label_end + 2;
    const size_t body_end = svg.find("</g>", body_start);
    rows.push_back({svg.substr(at + open.size(), kind_end - at - open.size()),
                    svg.substr(label_start, label_end - label_start),
                    svg.substr(body_start, body_end - body_start)});
  }
  return rows;
}

double Attr(const std::string& element, const std::string& name) {
  const std::regex attr(" " + name + "=\"([-0-9.]+)\"");
  std::smatch m;
  if (!std::regex_search(element, m, attr)) return NAN;
  return std::stod(m[1]);
}

std::string Find(const std::string& text, const std::string& pattern) {
  std::smatch m;
  const std::regex re(pattern);
  return std::regex_search(text, m, re) ? m[0].str() : "";
}

// The x of a value on the drawn axis [lo, hi].
double X(double value, double lo, double hi) {
  return kLeft + (value - lo) * (kRight - kLeft) / (hi - lo);
}

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(IntervalAxisTest, CoversTheMinimumExtentAndTheDataWithinTheCap) {
  const AxisExtent pain{-4, 4, -10, 10};
  const ValueAxis small = IntervalAxis(-1, 0.5, pain, 9);
  EXPECT_EQ(small.lo, -4);
  EXPECT_EQ(small.hi, 4);
  EXPECT_THAT(small.ticks, ElementsAre(-4, -3, -2, -1, 0, 1, 2, 3, 4));
  const ValueAxis wide = IntervalAxis(-7.3, 1, pain, 9);
  EXPECT_EQ(wide.lo, -8);
  EXPECT_EQ(wide.hi, 4);
  EXPECT_THAT(wide.ticks, ElementsAre(-8, -6, -4, -2, 0, 2, 4));
  // Beyond what a change on the scale can be: the axis stops at the cap.
  const ValueAxis capped = IntervalAxis(-14.2, 11, pain, 9);
  EXPECT_EQ(capped.lo, -10);
  EXPECT_EQ(capped.hi, 10);
  for (double tick : capped.ticks) {
    EXPECT_GE(tick, -10);
    EXPECT_LE(tick, 10);
  }
  // A cap that is not a nice number still ends the axis, with a tick there.
  const ValueAxis odd = IntervalAxis(0, 130, AxisExtent{0, 10, 0, 125}, 6);
  EXPECT_EQ(odd.hi, 125);
  EXPECT_EQ(odd.ticks.back(), 125);
}

TEST(ClipIntervalTest, AnIntervalBeyondTheAxisIsCutAndMarked) {
  const ClippedInterval inside = ClipInterval(-1.2, 0.6, -4, 4);
  EXPECT_FALSE(inside.low_clipped || inside.high_clipped || inside.outside);
  EXPECT_EQ(inside.low, -1.2);
  const ClippedInterval both = ClipInterval(-12, 11, -10, 10);
  EXPECT_TRUE(both.low_clipped && both.high_clipped);
  EXPECT_EQ(both.low, -10);
  EXPECT_EQ(both.high, 10);
  const ClippedInterval away = ClipInterval(12, 15, -10, 10);
  EXPECT_TRUE(away.outside);
  EXPECT_TRUE(away.high_clipped);
}

TEST(ForestPlotTest, AnIntervalCrossingZeroStraddlesTheNoChangeLine) {
  const std::string svg = RenderComparisonSvg(TwoGroups());
  // The axis is -4..4 here: every figure fits inside the minimum extent.
  const std::string reference = Find(svg, "<line[^>]*class=\"reference\"[^>]*/>");
  ASSERT_FALSE(reference.empty());
  EXPECT_DOUBLE_EQ(Attr(reference, "x1"), X(0, -4, 4));
  EXPECT_THAT(svg, HasSubstr(">no change</text>"));
  const std::vector<Row> rows = Rows(svg);
  ASSERT_EQ(rows.size(), 4u);  // two groups, one withheld, the difference
  const Row& lumbar = rows[1];
  EXPECT_EQ(lumbar.label, "lumbar-c-curve");
  const std::string ci = Find(lumbar.body, "<line[^>]*class=\"ci\"[^>]*/>");
  EXPECT_NEAR(Attr(ci, "x1"), X(-1.2, -4, 4), 0.01);
  EXPECT_NEAR(Attr(ci, "x2"), X(0.6, -4, 4), 0.01);
  EXPECT_LT(Attr(ci, "x1"), X(0, -4, 4));
  EXPECT_GT(Attr(ci, "x2"), X(0, -4, 4));
  const std::string square = Find(lumbar.body, "<rect class=\"point\"[^>]*/>");
  EXPECT_NEAR(Attr(square, "x") + Attr(square, "width") / 2, X(-0.4, -4, 4), 0.01);
  EXPECT_THAT(lumbar.body, Not(HasSubstr("class=\"clipped\"")));
  // Ticks from -4 to 4 and the axis label with its units and direction.
  EXPECT_THAT(svg, HasSubstr(">-4</text>"));
  EXPECT_THAT(svg, HasSubstr(">4</text>"));
  EXPECT_THAT(svg, HasSubstr("Change in pre-session pain, points (0-10 scale); left is better"));
}

TEST(ForestPlotTest, TheDifferenceIsItsOwnRowWithADiamond) {
  const std::vector<Row> rows = Rows(RenderComparisonSvg(TwoGroups()));
  const Row& difference = rows.back();
  EXPECT_EQ(difference.kind, "difference");
  EXPECT_EQ(difference.label, "Difference: thoracic-c-curve minus lumbar-c-curve");
  const std::string diamond = Find(difference.body, "<polygon class=\"point diamond\"[^>]*/>");
  ASSERT_FALSE(diamond.empty());
  // The diamond's first vertex is its top, at the point's x.
  const std::string points = Find(diamond, "points=\"[-0-9.]+");
  EXPECT_NEAR(std::stod(points.substr(8)), X(-1.7, -4, 4), 0.01);
  EXPECT_THAT(difference.body, HasSubstr("-1.7 (-2.9 to -0.5)"));
  // The groups themselves are squares.
  EXPECT_THAT(rows[0].body, HasSubstr("<rect class=\"point\""));
  EXPECT_THAT(rows[0].body, Not(HasSubstr("diamond")));
}

TEST(ForestPlotTest, AnIntervalWiderThanTheAxisIsClippedWithAnArrow) {
  v1::CompareProtocolsResponse response;
  // A t interval from few, spread-out episodes runs past the -10 a change can be.
  *response.add_groups() = Shown("neck-gentle", 10, 10, -7.0, -12.5, -1.5);
  const std::string svg = RenderComparisonSvg(response);
  const std::vector<Row> rows = Rows(svg);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Count(rows[0].body, "class=\"clipped\""), 1);
  const std::string ci = Find(rows[0].body, "<line[^>]*class=\"ci\"[^>]*/>");
  // The axis is -10..4: the whisker starts at the axis end, not at -12.5.
  EXPECT_DOUBLE_EQ(Attr(ci, "x1"), kLeft);
  EXPECT_NEAR(Attr(ci, "x2"), X(-1.5, -10, 4), 0.01);
  EXPECT_THAT(svg, HasSubstr(">-10</text>"));
  EXPECT_THAT(svg, Not(HasSubstr(">-12</text>")));
  // The true ends are in the words: the row's figure, its tooltip, the legend.
  EXPECT_THAT(rows[0].body, HasSubstr("-7.0 (-12.5 to -1.5)"));
  EXPECT_THAT(rows[0].body, HasSubstr("continues beyond the axis"));
  EXPECT_THAT(svg, HasSubstr(">beyond the axis</text>"));
  // Nothing is clipped in the ordinary case, and the legend says nothing of it.
  EXPECT_THAT(RenderComparisonSvg(TwoGroups()), Not(HasSubstr("beyond the axis")));
}

TEST(ForestPlotTest, OneGroupIsAPlotWithoutADifference) {
  v1::CompareProtocolsResponse response;
  *response.add_groups() = Shown("lumbar-c-curve", 11, 12, -1.0, -1.8, -0.2);
  const std::string svg = RenderComparisonSvg(response);
  const std::vector<Row> rows = Rows(svg);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].kind, "estimate");
  EXPECT_EQ(Count(svg, "class=\"point"), 2);  // the row's square and the legend's
  EXPECT_THAT(svg, Not(HasSubstr("diamond")));
  EXPECT_THAT(svg, HasSubstr("12 episodes (12 with pain at two sessions), 11 patients"));
}

TEST(ForestPlotTest, WithheldAndSuppressedGroupsAreWordsNeverAPoint) {
  v1::CompareProtocolsResponse response = TwoGroups();
  *response.add_groups() = Suppressed("rare-protocol");
  const std::vector<Row> rows = Rows(RenderComparisonSvg(response));
  ASSERT_EQ(rows.size(), 5u);
  const Row& few = rows[2];
  EXPECT_EQ(few.kind, "text");
  EXPECT_THAT(few.body, HasSubstr("Not enough data: 7 episodes, fewer than 10; no estimate"));
  EXPECT_THAT(few.body, HasSubstr("7 episodes, 5 patients, 21 sessions"));
  const Row& hidden = rows[3];
  EXPECT_EQ(hidden.label, "rare-protocol");
  EXPECT_THAT(hidden.body, HasSubstr("Suppressed"));
  EXPECT_THAT(hidden.body, HasSubstr("counts suppressed"));
  for (const Row* row : {&few, &hidden}) {
    EXPECT_THAT(row->body, Not(HasSubstr("class=\"point")));
    EXPECT_THAT(row->body, Not(HasSubstr("class=\"ci\"")));
    EXPECT_THAT(row->body, Not(HasSubstr("0.0")));
  }
  // The table, too: a suppressed group's counts are the word, not a 0.
  const std::string page = RenderComparisonPage(response, {});
  const std::string table_row =
      Slice(page, "<tr class=\"withheld\" data-group=\"rare-protocol\">", "</tr>",
            page.find("id=\"pain-table\""));
  EXPECT_THAT(table_row, HasSubstr("<td colspan=\"2\">suppressed</td>"));
  EXPECT_THAT(page, HasSubstr("id=\"suppression-note\""));
  EXPECT_THAT(RenderComparisonPage(TwoGroups(), {}), Not(HasSubstr("id=\"suppression-note\"")));
  EXPECT_THAT(table_row, HasSubstr("suppressed"));
  EXPECT_THAT(table_row, Not(HasSubstr(">0<")));
}

TEST(ForestPlotTest, AShownGroupWithoutAnyChangeHasNoPoint) {
  v1::CompareProtocolsResponse response;
  v1::ProtocolComparisonGroup group = Shown("one-visit", 12, 12, 0, 0, 0);
  group.clear_pain_change();  // n == 0: every episode had a single session
  group.clear_responders();
  *response.add_groups() = group;
  const std::string svg = RenderComparisonSvg(response);
  EXPECT_THAT(svg, HasSubstr("no episode recorded pre-session pain at two sessions"));
  EXPECT_THAT(svg, HasSubstr("Nothing to plot"));
  EXPECT_EQ(Count(svg, "class=\"point"), 0);
}

TEST(ForestPlotTest, AFigureThatIsNotANumberIsNoEstimate) {
  v1::CompareProtocolsResponse response = TwoGroups();
  response.mutable_groups(0)->mutable_pain_change()->set_mean(NAN);
  response.mutable_groups(1)->mutable_pain_change()->mutable_ci95()->set_high(INFINITY);
  const std::vector<Row> rows = Rows(RenderComparisonSvg(response));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].kind, "text");
  EXPECT_THAT(rows[0].body, Not(HasSubstr("nan")));
  // The point stays; the interval that is not a number is not drawn.
  EXPECT_THAT(rows[1].body, HasSubstr("class=\"point\""));
  EXPECT_THAT(rows[1].body, Not(HasSubstr("class=\"ci\"")));
  EXPECT_THAT(rows[1].body, Not(HasSubstr("=\"inf")));
}

TEST(ForestPlotTest, AllGroupsWithheldMeansNoPlot) {
  v1::CompareProtocolsResponse response;
  *response.add_groups() = NotEnough("thoracic-c-curve", 4, 6);
  *response.add_groups() = NotEnough("lumbar-c-curve", 3, 3);
  response.add_caveats("Observational comparison: not a causal effect.");
  EXPECT_FALSE(HasEstimate(PainChangeFigure(response)));
  const std::string svg = RenderComparisonSvg(response);
  EXPECT_THAT(svg, HasSubstr("Nothing to plot"));
  EXPECT_EQ(Count(svg, "class=\"point"), 0);
  EXPECT_THAT(svg, Not(HasSubstr("class=\"reference\"")));
  EXPECT_THAT(svg, Not(HasSubstr("left is better")));  // no axis drawn
  // Each row's text, its tooltip and its sentence in the description.
  EXPECT_EQ(Count(svg, "Not enough data"), 2 * 3);
  const std::string page = RenderComparisonPage(response, {});
  EXPECT_EQ(Count(page, "<svg"), 0);
  EXPECT_THAT(page, HasSubstr("id=\"forest-pain-none\""));
  EXPECT_THAT(page, HasSubstr("id=\"forest-rates-none\""));
  EXPECT_THAT(page, HasSubstr("Not enough data: 6 episodes, fewer than 10; no estimate"));
}

TEST(ForestPlotTest, EverySvgHasATitleAndADescription) {
  v1::CompareProtocolsResponse withheld;
  *withheld.add_groups() = NotEnough("x", 1, 1);
  v1::CompareProtocolsResponse suppressed = TwoGroups();
  *suppressed.mutable_groups(0) = Suppressed("thoracic-c-curve");
  for (const v1::CompareProtocolsResponse& response :
       {TwoGroups(), withheld, suppressed, v1::CompareProtocolsResponse()}) {
    const std::string svg = RenderComparisonSvg(response);
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_THAT(svg, HasSubstr("<title id=\"forest-pain-title\">"));
    EXPECT_THAT(svg, HasSubstr("<desc id=\"forest-pain-desc\">"));
    const std::string page = RenderComparisonPage(response, {});
    EXPECT_EQ(Count(page, "<svg"), Count(page, "<title id="));
    EXPECT_EQ(Count(page, "<svg"), Count(page, "<desc id="));
  }
  const std::string page = RenderComparisonPage(TwoGroups(), {});
  EXPECT_EQ(Count(page, "<svg"), 2);  // pain change; responders and adverse events
  // The description carries every row in words, for a screen reader.
  const std::string desc = Slice(page, "<desc id=\"forest-pain-desc\">", "</desc>");
  EXPECT_THAT(desc, HasSubstr("thoracic-c-curve"));
  EXPECT_THAT(desc, HasSubstr("-2.1 (-2.9 to -1.3)"));
  EXPECT_THAT(desc, HasSubstr("Not enough data"));
}

// Every figure the plots print is in the table, in the same words, on the
// row of the same group.
TEST(ComparisonPageTest, TheTablesPrintTheFiguresOfThePlots) {
  v1::CompareProtocolsResponse response = TwoGroups();
  *response.add_groups() = Suppressed("rare-protocol");
  const std::string page = RenderComparisonPage(response, {});
  const std::string pain_table = Slice(page, "<table id=\"pain-table\">", "</table>");
  const std::string rates_table = Slice(page, "<table id=\"rates-table\">", "</table>");
  ASSERT_FALSE(pain_table.empty());
  ASSERT_FALSE(rates_table.empty());
  const std::string pain_svg = Slice(page, "<svg", "</svg>", page.find("id=\"pain\""));
  const std::string rates_svg = Slice(page, "<svg", "</svg>", page.find("id=\"rates\""));
  ASSERT_THAT(pain_svg, HasSubstr("forest-pain-title"));
  ASSERT_THAT(rates_svg, HasSubstr("forest-rates-title"));
  int checked = 0;
  for (const auto& [svg, table] :
       std::vector<std::pair<std::string, std::string>>{{pain_svg, pain_table},
                                                        {rates_svg, rates_table}}) {
    for (const Row& row : Rows(svg)) {
      const std::string tr = Slice(table, "data-group=\"" + row.label + "\">", "</tr>");
      ASSERT_FALSE(tr.empty()) << row.label;
      if (row.kind == "text") {
        EXPECT_THAT(tr, Not(HasSubstr("class=\"estimate\""))) << row.label;
        continue;
      }
      const std::string value = Find(row.body, "class=\"value\"[^>]*>[^<]*<");
      const std::string figure = value.substr(value.find('>') + 1, value.size() - value.find('>') - 2);
      ASSERT_FALSE(figure.empty());
      EXPECT_THAT(tr, HasSubstr("<td class=\"estimate\">" + figure)) << row.label;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3 + 2 + 2);  // pain (2 groups + difference), responders, adverse events
  // The counts and n are in the table too.
  EXPECT_THAT(pain_table, HasSubstr("<td class=\"patients\">14</td><td class=\"episodes\">20</td>"
                                    "<td class=\"n\">20</td>"));
  EXPECT_THAT(rates_table, HasSubstr("<td>10 / 20</td><td class=\"estimate\">50% (30% to 70%)"));
  EXPECT_THAT(rates_table, HasSubstr("25 (-8 to 52) percentage points"));
  // A zero-event group is a measured 0 with its upper limit (3.69 events:
  // the exact Poisson bound at zero), not a withheld one.
  EXPECT_THAT(rates_table, HasSubstr("<td>0 / 120</td><td class=\"estimate\">0.0 (0.0 to 3.1)"));
}

TEST(ComparisonPageTest, TheCaveatComesFirstAndEverySectionFollows) {
  v1::CompareProtocolsRequest criteria;
  criteria.set_spine_region(v1::SPINE_REGION_THORACIC);
  criteria.set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  criteria.add_protocol_ids("thoracic-c-curve");
  criteria.add_protocol_ids("lumbar-c-curve");
  criteria.mutable_start_time()->set_seconds(1767225600);  // 2026-01-01
  criteria.set_compare_by(v1::COMPARE_BY_PROTOCOL_VERSION);
  const std::string page = RenderComparisonPage(TwoGroups(), criteria, {"Analytics view."});
  const size_t caveat = page.find("Observational comparison, not a causal effect");
  ASSERT_NE(caveat, std::string::npos);
  std::vector<size_t> order = {caveat};
  for (const char* id : {"id=\"baseline\"", "id=\"pain\"", "<svg", "id=\"pain-table\"",
                         "id=\"rates\"", "id=\"method\"", "id=\"criteria\""}) {
    order.push_back(page.find(id));
    ASSERT_NE(order.back(), std::string::npos) << id;
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_LT(caveat, page.find("<main>") + 200);  // the first thing in the main content
  EXPECT_THAT(page, HasSubstr("At baseline, mean age differed: 14.0 years"));
  EXPECT_THAT(page, HasSubstr("Student t for means.\nWilson for proportions."));
  EXPECT_THAT(page, HasSubstr("<dd>thoracic</dd>"));
  EXPECT_THAT(page, HasSubstr("<dd>C-curve</dd>"));
  EXPECT_THAT(page, HasSubstr("<dd>thoracic-c-curve, lumbar-c-curve</dd>"));
  EXPECT_THAT(page, HasSubstr("from 2026-01-01 00:00 UTC"));
  EXPECT_THAT(page, HasSubstr("per protocol version"));
  EXPECT_THAT(page, HasSubstr("31 patients, 43 episodes"));
  EXPECT_THAT(page, HasSubstr("datetime=\"2026-12-02T04:00:00Z\""));
  EXPECT_THAT(page, HasSubstr("Analytics view."));
  // Self-contained: no script, nothing fetched.
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("url(")));
  EXPECT_THAT(page, Not(HasSubstr("@import")));
  EXPECT_THAT(page, Not(HasSubstr("<link")));
  EXPECT_THAT(page, Not(HasSubstr("<img")));
  EXPECT_THAT(page, HasSubstr("@page{size:A4"));
}

TEST(ComparisonPageTest, SuppressedTotalsAndNoGroupsAreSaidInWords) {
  v1::CompareProtocolsResponse response;
  response.set_totals_suppressed(true);
  const std::string page = RenderComparisonPage(response, {});
  EXPECT_THAT(page, HasSubstr("No episodes match these criteria."));
  EXPECT_THAT(page, HasSubstr("suppressed (the totals would reveal a small group)"));
  EXPECT_THAT(page, Not(HasSubstr("0 patients")));
  // Without a caveat from the service the page still leads with one.
  EXPECT_THAT(page, HasSubstr("not assigned to protocols at random"));
}

TEST(ComparisonPageTest, EveryTextFromTheRequestAndTheResponseIsEscaped) {
  const std::string evil = "<script>alert('x')</script>&\"";
  v1::CompareProtocolsResponse response = TwoGroups();
  response.mutable_groups(0)->set_group(evil);
  response.mutable_groups(2)->set_group(evil + "2");
  response.mutable_pain_change_difference()->set_first_group(evil);
  response.mutable_responder_difference()->set_second_group(evil);
  response.set_caveats(0, evil + " caveat");
  response.add_caveats(evil + " baseline");
  response.set_method(evil + " method");
  v1::CompareProtocolsRequest criteria;
  criteria.add_protocol_ids(evil);
  const std::string page = RenderComparisonPage(response, criteria, {evil});
  const std::string svg = RenderComparisonSvg(response);
  for (const std::string& text : {page, svg}) {
    EXPECT_THAT(text, Not(HasSubstr("<script")));
    EXPECT_THAT(text, Not(HasSubstr("alert('x')")));
    EXPECT_THAT(text, HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
  }
  EXPECT_GE(Count(page, "&lt;script&gt;"), 8);
}

TEST(ComparisonFiguresTest, FiguresHaveOneDecimalAndNoNegativeZero) {
  EXPECT_EQ(OneDecimal(-0.04), "0.0");
  EXPECT_EQ(OneDecimal(-1.25), "-1.3");  // rounds half away from zero
  EXPECT_EQ(OneDecimal(2), "2.0");
  v1::MeanEstimate one;
  one.set_n(1);
  one.set_mean(-2);
  EXPECT_EQ(MeanText(one), "-2.0 (no interval: 1 episode)");
  EXPECT_EQ(MeanText(v1::MeanEstimate()), "");
  v1::ProportionEstimate p;
  p.set_n(8);
  p.set_successes(0);
  p.mutable_ci95()->set_high(0.324);
  EXPECT_EQ(ProportionText(p), "0% (0% to 32%)");
}

}  // namespace
}  // namespace scoliomassage::core

namespace scoliomassage::core {
namespace {

// The page's questionnaire, CDS override and evaluation panels: every
// group has a row, figures as the JSON has them, and a group without an
// estimate (withheld, suppressed) or a suppressed count in words.
TEST(ComparisonPageTest, QuestionnaireOverrideAndEvaluationPanels) {
  v1::CompareProtocolsResponse response = TwoGroups();
  *response.add_groups() = Suppressed("rare-protocol");
  v1::QuestionnaireChange* odi = response.mutable_groups(0)->add_questionnaire_changes();
  odi->set_instrument_id("odi");
  odi->set_domain("total");
  odi->set_direction(v1::CHANGE_DIRECTION_LOWER_IS_BETTER);
  odi->set_threshold("10 points or 30% of baseline");
  odi->mutable_change()->set_n(12);
  odi->mutable_change()->set_mean(-14.25);
  odi->mutable_change()->mutable_ci95()->set_low(-18.0);
  odi->mutable_change()->mutable_ci95()->set_high(-10.5);
  odi->mutable_meaningful()->set_successes(9);
  odi->mutable_meaningful()->set_n(12);
  odi->mutable_meaningful()->set_proportion(0.75);
  v1::ProportionEstimate* overrides = response.mutable_groups(0)->mutable_cds_overrides();
  overrides->set_successes(3);
  overrides->set_n(10);
  overrides->set_proportion(0.3);
  overrides->mutable_ci95()->set_low(0.1078);
  overrides->mutable_ci95()->set_high(0.6032);
  v1::OverrideReasonCount* reason = response.mutable_groups(0)->add_top_override_reasons();
  reason->set_reason_code("too-sore");
  reason->set_overridden_count(2);
  v1::EvaluationCounts* e = response.mutable_groups(0)->mutable_evaluation();
  e->mutable_assigned_a()->set_episode_count(20);
  e->mutable_received_a()->set_episode_count(14);
  e->mutable_received_b()->set_suppressed(true);
  e->mutable_overridden()->set_suppressed(true);
  e->mutable_overridden_out_of()->set_suppressed(true);
  response.mutable_groups(1)->mutable_evaluation();  // all true zeros
  response.add_caveats("Protocol evaluation: ... not concealed randomisation ...");
  response.set_compare_by(v1::COMPARE_BY_ASSIGNED_VARIANT);
  response.mutable_episodes_not_in_evaluation()->set_suppressed(true);
  const std::string page = RenderComparisonPage(response, {});

  const std::string q_table = Slice(page, "id=\"questionnaire-table\"", "</table>");
  EXPECT_THAT(q_table, HasSubstr("<td class=\"estimate\">-14.3 (-18.0 to -10.5)</td>"));
  EXPECT_THAT(q_table, HasSubstr("75% (")) << q_table;
  EXPECT_THAT(q_table, HasSubstr("not measured"));  // lumbar-c-curve
  EXPECT_THAT(Slice(q_table, "data-group=\"rare-protocol\"", "</tr>"), HasSubstr("Suppressed"));
  EXPECT_THAT(page, HasSubstr("Change in odi total, points; left is better"));
  const std::string o_table = Slice(page, "id=\"overrides-table\"", "</table>");
  EXPECT_THAT(o_table, HasSubstr("<td>3 / 10</td><td class=\"estimate\">30% (11% to 60%)</td>"
                                 "<td>2 (too-sore)</td>"));
  EXPECT_THAT(Slice(o_table, "data-group=\"thoracic-s-curve\"", "</tr>"),
              HasSubstr("Not enough data"));
  // The plots: the withheld and suppressed groups are words, never points.
  for (const char* title : {"Questionnaire change per episode", "CDS override rate"}) {
    const std::string svg = Slice(page, std::string("<title") , "</svg>", page.find(title) - 200);
    ASSERT_FALSE(svg.empty()) << title;
    for (const Row& row : Rows(svg)) {
      if (row.label == "rare-protocol" || row.label == "thoracic-s-curve") {
        EXPECT_EQ(row.kind, "text") << title << " " << row.label;
        EXPECT_THAT(row.body, Not(HasSubstr("class=\"point")));
      }
    }
  }
  const std::string ev = Slice(page, "id=\"evaluation-table\"", "</table>");
  EXPECT_THAT(ev, HasSubstr("<td>A 20; B 0; no evaluation 0</td><td>A 14; B suppressed; no "
                            "evaluation 0</td><td>suppressed in all; 0 into; suppressed out of</td>"));
  EXPECT_THAT(Slice(ev, "data-group=\"rare-protocol\"", "</tr>"), HasSubstr("Suppressed"));
  EXPECT_THAT(ev, HasSubstr("intention to treat"));
  EXPECT_THAT(page, HasSubstr("Left out (in no evaluation): suppressed episodes."));
  EXPECT_THAT(page, HasSubstr("class=\"note evaluation-note\">Protocol evaluation: ..."));
  // The evaluation note is not listed as a baseline difference.
  EXPECT_THAT(Slice(page, "id=\"baseline-differences\"", "</ul>"), Not(HasSubstr("Protocol evaluation")));
  // Without evaluations the section says so instead of printing zeros.
  EXPECT_THAT(RenderComparisonPage(TwoGroups(), {}), HasSubstr("id=\"evaluation-none\""));
}

}  // namespace
}  // namespace scoliomassage::core
