#include "core/report_charts.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/chart_geometry.h"
#include "core/adverse_events.h"
#include "core/clearances.h"
#include "core/dose.h"
#include "core/report_summary.h"
#include "core/svg.h"

namespace scoliomassage::core {
namespace {

// The drawing: a 480 x 300 viewBox that scales to the page width (on a 360 px
// phone its 14-unit text is still about 10 px, with no horizontal scroll),
// the plot inside margins for the axes, and the legend in two rows on top.
constexpr double kWidth = 480, kHeight = 300;
constexpr double kLeft = 52, kRight = 468, kTop = 70, kBottom = 244;
constexpr double kEventRow = 58;  // adverse-event markers, above the plot
constexpr int kMaxSessionTicks = 12;

struct Frame {
  LinearScale x;
  LinearScale y;
  int first = 0, last = 0;
};

Frame MakeFrame(const std::vector<v1::Outcome>& sessions, double y_min, double y_max) {
  Frame frame;
  if (!sessions.empty()) {
    frame.first = sessions.front().session_number();
    frame.last = sessions.back().session_number();
    for (const v1::Outcome& s : sessions) {
      frame.first = std::min(frame.first, s.session_number());
      frame.last = std::max(frame.last, s.session_number());
    }
  } else {
    frame.first = frame.last = 1;
  }
  // Half a session of room either side, so the first and last points are not
  // on the axes; one session either side when there is only one.
  const double pad = frame.first == frame.last ? 1.0 : 0.5;
  frame.x = LinearScale{frame.first - pad, frame.last + pad, kLeft, kRight};
  frame.y = LinearScale{y_min, y_max, kBottom, kTop};
  return frame;
}

void OpenSvg(std::string& out, absl::string_view id, absl::string_view title,
             absl::string_view desc, bool standalone) {
  if (standalone) out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(&out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", Coord(kWidth),
                  " ", Coord(kHeight), "\" role=\"img\" aria-labelledby=\"", id, "-title ", id,
                  "-desc\" font-family=\"system-ui, 'DejaVu Sans', sans-serif\" font-size=\"14\">",
                  "<title id=\"", id, "-title\">", EscapeXml(title), "</title><desc id=\"", id,
                  "-desc\">", EscapeXml(desc), "</desc>",
                  "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
}

void Text(std::string& out, double x, double y, absl::string_view anchor, absl::string_view text,
          absl::string_view extra = "") {
  absl::StrAppend(&out, "<text x=\"", Coord(x), "\" y=\"", Coord(y), "\" text-anchor=\"", anchor,
                  "\" fill=\"", kColourInk, "\"", extra, ">", EscapeXml(text), "</text>");
}

void YAxis(std::string& out, const Frame& frame, const std::vector<double>& ticks,
           absl::string_view label) {
  for (double tick : ticks) {
    const double y = frame.y.Map(tick);
    absl::StrAppend(&out, "<line x1=\"", Coord(kLeft), "\" x2=\"", Coord(kRight), "\" y1=\"",
                    Coord(y), "\" y2=\"", Coord(y), "\" stroke=\"#d9d9d9\" stroke-width=\"1\"/>");
    Text(out, kLeft - 6, y + 4, "end", Coord(tick));
  }
  absl::StrAppend(&out, "<line x1=\"", Coord(kLeft), "\" x2=\"", Coord(kLeft), "\" y1=\"",
                  Coord(kTop), "\" y2=\"", Coord(kBottom), "\" stroke=\"", kColourInk, "\"/>");
  const double middle = (kTop + kBottom) / 2;
  Text(out, 16, middle, "middle", label,
       absl::StrCat(" transform=\"rotate(-90 16 ", Coord(middle), ")\""));
}

void XAxis(std::string& out, const Frame& frame) {
  absl::StrAppend(&out, "<line x1=\"", Coord(kLeft), "\" x2=\"", Coord(kRight), "\" y1=\"",
                  Coord(kBottom), "\" y2=\"", Coord(kBottom), "\" stroke=\"", kColourInk, "\"/>");
  for (double tick : SessionTicks(frame.first, frame.last, kMaxSessionTicks)) {
    const double x = frame.x.Map(tick);
    absl::StrAppend(&out, "<line x1=\"", Coord(x), "\" x2=\"", Coord(x), "\" y1=\"",
                    Coord(kBottom), "\" y2=\"", Coord(kBottom + 5), "\" stroke=\"", kColourInk,
                    "\"/>");
    Text(out, x, kBottom + 19, "middle", Coord(tick));
  }
  Text(out, (kLeft + kRight) / 2, kBottom + 40, "middle", "Session number (dates in the table)");
}

// Sessions that were not logged, shaded across the plot, so a break in a
// line is visibly a missing session and not a drawing fault.
void Gaps(std::string& out, const Frame& frame, const std::vector<v1::Outcome>& sessions) {
  const double width = frame.x.Map(1) - frame.x.Map(0);
  for (int missing : MissingSessions(sessions)) {
    absl::StrAppend(&out, "<rect x=\"", Coord(frame.x.Map(missing) - width / 2), "\" y=\"",
                    Coord(kTop), "\" width=\"", Coord(width), "\" height=\"",
                    Coord(kBottom - kTop),
                    "\" fill=\"#f0f0f0\" stroke=\"none\"><title>Session ", missing,
                    " not logged</title></rect>");
  }
}

std::string Triangle(double x, double y, double size) {
  return absl::StrCat(Coord(x), ",", Coord(y - size), " ", Coord(x - size), ",", Coord(y + size),
                      " ", Coord(x + size), ",", Coord(y + size));
}

// An adverse event: a triangle above the plot at its session and a dotted
// rule down through the plot. Serious events (severe, or neurological) are
// filled; others are outlined.
void Events(std::string& out, const Frame& frame, const std::vector<v1::Outcome>& sessions) {
  for (const v1::Outcome& s : sessions) {
    if (s.adverse_events().empty()) continue;
    const double x = frame.x.Map(s.session_number());
    const bool serious = SummarizeAdverseEvents(s).serious;
    std::string what;
    for (const v1::AdverseEvent& event : s.adverse_events()) {
      absl::StrAppend(&what, what.empty() ? "" : "; ", DescribeAdverseEvent(event));
    }
    absl::StrAppend(&out, "<g><title>", EscapeXml(absl::StrCat("Session ", s.session_number(), " (",
                                                               DateOf(s.performed_at()), "): ",
                                                               what)),
                    "</title><line x1=\"", Coord(x), "\" x2=\"", Coord(x), "\" y1=\"",
                    Coord(kEventRow + 7), "\" y2=\"", Coord(kBottom),
                    "\" stroke=\"", kColourEvent, "\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>",
                    "<polygon points=\"", Triangle(x, kEventRow, 6), "\" fill=\"",
                    serious ? kColourEvent : "#ffffff", "\" stroke=\"", kColourEvent,
                    "\" stroke-width=\"2\"/></g>");
  }
}

void Square(std::string& out, double x, double y, absl::string_view colour, double half = 4) {
  absl::StrAppend(&out, "<rect x=\"", Coord(x - half), "\" y=\"", Coord(y - half),
                  "\" width=\"", Coord(2 * half), "\" height=\"", Coord(2 * half), "\" fill=\"",
                  colour, "\"/>");
}

void Circle(std::string& out, double x, double y, absl::string_view colour, double r = 4.5) {
  absl::StrAppend(&out, "<circle cx=\"", Coord(x), "\" cy=\"", Coord(y), "\" r=\"", Coord(r),
                  "\" fill=\"", colour, "\"/>");
}

// Markers shrink with the space per session so that 200 sessions stay
// separate points instead of merging into a bar.
double MarkerSize(const Frame& frame) {
  const double slot = frame.x.Map(1) - frame.x.Map(0);
  return std::clamp(slot * 0.4, 1.5, 4.5);
}

// One pain series: lines within runs of consecutive sessions, a marker at
// every observation (with its value as a tooltip).
void Series(std::string& out, const Frame& frame, const std::vector<v1::Outcome>& sessions,
            bool before) {
  const char* colour = before ? kColourBefore : kColourAfter;
  std::vector<SeriesPoint> points;
  for (const v1::Outcome& s : sessions) {
    SeriesPoint point{s.session_number(), std::nullopt};
    if (before ? s.has_pain_before() : s.has_pain_after()) {
      point.y = before ? s.pain_before() : s.pain_after();
    }
    points.push_back(point);
  }
  for (const auto& run : LineSegments(points)) {
    if (run.size() < 2) continue;
    absl::StrAppend(&out, "<polyline fill=\"none\" stroke=\"", colour, "\" stroke-width=\"2\"",
                    before ? "" : " stroke-dasharray=\"6 4\"", " points=\"");
    for (const SeriesPoint& p : run) {
      absl::StrAppend(&out, Coord(frame.x.Map(p.x)), ",", Coord(frame.y.Map(*p.y)), " ");
    }
    out += "\"/>";
  }
  const double size = MarkerSize(frame);
  for (size_t i = 0; i < sessions.size(); ++i) {
    if (!points[i].y.has_value()) continue;
    const double x = frame.x.Map(points[i].x), y = frame.y.Map(*points[i].y);
    absl::StrAppend(&out, "<g><title>",
                    EscapeXml(absl::StrCat("Session ", sessions[i].session_number(), " (",
                                           DateOf(sessions[i].performed_at()), "): pain ",
                                           before ? "before " : "after ", *points[i].y)),
                    "</title>");
    if (before) {
      Circle(out, x, y, colour, size);
    } else {
      Square(out, x, y, colour, size * 0.9);
    }
    out += "</g>";
  }
}

void PainLegend(std::string& out) {
  double x = kLeft;
  double y = 16;
  absl::StrAppend(&out, "<g aria-hidden=\"true\">");
  absl::StrAppend(&out, "<line x1=\"", Coord(x), "\" x2=\"", Coord(x + 22), "\" y1=\"", Coord(y),
                  "\" y2=\"", Coord(y), "\" stroke=\"", kColourBefore, "\" stroke-width=\"2\"/>");
  Circle(out, x + 11, y, kColourBefore);
  Text(out, x + 28, y + 4, "start", "before session");
  x += 160;
  absl::StrAppend(&out, "<line x1=\"", Coord(x), "\" x2=\"", Coord(x + 22), "\" y1=\"", Coord(y),
                  "\" y2=\"", Coord(y), "\" stroke=\"", kColourAfter,
                  "\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>");
  Square(out, x + 11, y, kColourAfter);
  Text(out, x + 28, y + 4, "start", "after session");
  x = kLeft;
  y = 38;
  absl::StrAppend(&out, "<rect x=\"", Coord(x), "\" y=\"", Coord(y - 6),
                  "\" width=\"22\" height=\"12\" fill=\"#bdbdbd\" fill-opacity=\"0.45\" "
                  "stroke=\"#7f7f7f\" stroke-dasharray=\"3 2\"/>");
  Text(out, x + 28, y + 4, "start", "no meaningful change");
  x += 212;
  absl::StrAppend(&out, "<polygon points=\"", Triangle(x + 8, y, 6), "\" fill=\"#ffffff\" stroke=\"",
                  kColourEvent, "\" stroke-width=\"2\"/>");
  Text(out, x + 20, y + 4, "start", "adverse event");
  out += "</g>";
}

void NotEnoughData(std::string& out, absl::string_view what) {
  Text(out, (kLeft + kRight) / 2, (kTop + kBottom) / 2 - 20, "middle",
       absl::StrCat("Not enough data for a trend: ", what), " font-size=\"15\" font-weight=\"600\"");
}

}  // namespace

std::string PainChartSvg(const std::vector<v1::Outcome>& sessions, bool standalone) {
  std::string out;
  out.reserve(4096 + sessions.size() * 600);
  const Frame frame = MakeFrame(sessions, kPainScaleMin, kPainScaleMax);
  std::optional<int> baseline;
  int with_pain = 0;
  for (const v1::Outcome& s : sessions) {
    if (!s.has_pain_before()) continue;
    if (!baseline.has_value()) baseline = s.pain_before();
    ++with_pain;
  }
  std::string desc = EpisodeSummary(sessions);
  if (baseline.has_value()) {
    const PainBand band = NoMeaningfulChangeBand(*baseline);
    absl::StrAppend(&desc, " Baseline (first pre-session pain) ", *baseline,
                    "; the shaded band from ", Coord(band.low), " to ", Coord(band.high),
                    " is less than a meaningful change (2 points or 30%).");
  }
  OpenSvg(out, "pain-chart", "Pain before and after each session (NRS 0-10)", desc, standalone);
  PainLegend(out);
  Gaps(out, frame, sessions);
  if (baseline.has_value()) {
    const PainBand band = NoMeaningfulChangeBand(*baseline);
    const double top = frame.y.Map(band.high), bottom = frame.y.Map(band.low);
    absl::StrAppend(&out, "<rect x=\"", Coord(kLeft), "\" y=\"", Coord(top), "\" width=\"",
                    Coord(kRight - kLeft), "\" height=\"", Coord(bottom - top),
                    "\" fill=\"#bdbdbd\" fill-opacity=\"0.45\"><title>No meaningful change from "
                    "the baseline of ",
                    *baseline, " (less than 2 points or 30%)</title></rect>");
  }
  YAxis(out, frame, PainTicks(), "Pain (NRS, 0-10 points)");
  if (baseline.has_value()) {
    const double y = frame.y.Map(*baseline);
    absl::StrAppend(&out, "<line x1=\"", Coord(kLeft), "\" x2=\"", Coord(kRight), "\" y1=\"",
                    Coord(y), "\" y2=\"", Coord(y),
                    "\" stroke=\"#7f7f7f\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>");
    Text(out, kRight - 2, y - 5, "end", absl::StrCat("baseline ", *baseline), " font-size=\"11\"");
  }
  XAxis(out, frame);
  Events(out, frame, sessions);
  Series(out, frame, sessions, /*before=*/true);
  Series(out, frame, sessions, /*before=*/false);
  if (with_pain < kMinPointsForTrend) {
    NotEnoughData(out, with_pain == 0 ? "no sessions yet" : "one session");
  }
  out += "</svg>";
  return out;
}

std::string DoseChartSvg(const std::vector<v1::Outcome>& sessions) {
  std::string out;
  out.reserve(4096 + sessions.size() * 300);
  int most = kLongestSessionMinutes;
  for (const v1::Outcome& s : sessions) most = std::max(most, s.minutes());
  const std::vector<double> ticks = NiceTicks(0, most, 6);
  const Frame frame = MakeFrame(sessions, 0, ticks.back());
  std::string desc = absl::StrCat("Minutes performed in each of ", sessions.size(),
                                  sessions.size() == 1 ? " session" : " sessions");
  if (!sessions.empty()) {
    int low = sessions.front().minutes(), high = low;
    for (const v1::Outcome& s : sessions) {
      low = std::min(low, s.minutes());
      high = std::max(high, s.minutes());
    }
    absl::StrAppend(&desc, ", from ", low, " to ", high, " minutes");
  }
  absl::StrAppend(&desc, ". ", AdverseEventsSummary(sessions));
  OpenSvg(out, "dose-chart", "Minutes performed per session", desc, false);
  double x = kLeft;
  absl::StrAppend(&out, "<g aria-hidden=\"true\"><rect x=\"", Coord(x), "\" y=\"12\" width=\"22\" "
                  "height=\"12\" fill=\"", kColourMinutes, "\"/>");
  Text(out, x + 28, 22, "start", "minutes performed");
  x += 160;
  absl::StrAppend(&out, "<polygon points=\"", Triangle(x + 8, 18, 6), "\" fill=\"#ffffff\" stroke=\"",
                  kColourEvent, "\" stroke-width=\"2\"/>");
  Text(out, x + 20, 22, "start", "adverse event");
  out += "</g>";
  Gaps(out, frame, sessions);
  YAxis(out, frame, ticks, "Minutes performed");
  XAxis(out, frame);
  const double slot = frame.x.Map(1) - frame.x.Map(0);
  const double bar = std::max(1.0, slot * 0.7);
  for (const v1::Outcome& s : sessions) {
    const double cx = frame.x.Map(s.session_number());
    const double top = frame.y.Map(s.minutes());
    absl::StrAppend(&out, "<rect x=\"", Coord(cx - bar / 2), "\" y=\"", Coord(top),
                    "\" width=\"", Coord(bar), "\" height=\"", Coord(kBottom - top), "\" fill=\"",
                    kColourMinutes, "\"><title>",
                    EscapeXml(absl::StrCat("Session ", s.session_number(), " (",
                                           DateOf(s.performed_at()), "): ", s.minutes(),
                                           " minutes")),
                    "</title></rect>");
  }
  Events(out, frame, sessions);
  if (sessions.size() < static_cast<size_t>(kMinPointsForTrend)) {
    NotEnoughData(out, sessions.empty() ? "no sessions yet" : "one session");
  }
  out += "</svg>";
  return out;
}

}  // namespace scoliomassage::core
