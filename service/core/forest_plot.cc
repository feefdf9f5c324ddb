#include "core/forest_plot.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/svg.h"

namespace scoliomassage::core {
namespace {

// The drawing: 480 units wide like the report's charts, so on a 360 px phone
// 14-unit text is still about 10 px; the height grows with the rows.
constexpr double kWidth = 480;
constexpr double kLeft = 16, kRight = 464;
constexpr double kLegendHeight = 34;
constexpr double kHeadingHeight = 26;
constexpr double kNoteHeight = 22;
constexpr double kReferenceLabelHeight = 18;
constexpr double kRowHeight = 56;
constexpr double kAxisHeight = 64;
constexpr double kPanelGap = 14;
constexpr int kMaxTicks = 9;
// About half an em per character of system-ui: the budget that decides when
// a long group name is shortened in the drawing (never in the table).
constexpr double kCharWidthBold14 = 8.8;
constexpr double kCharWidth13 = 7.2;
constexpr double kCharWidth14 = 7.8;

// Okabe M, Ito K. Color Universal Design (CUD), 2008: blue for groups,
// vermillion for differences; the shapes (square, diamond) differ too.
constexpr char kColourGroup[] = "#0072B2";
constexpr char kColourDifference[] = "#D55E00";
constexpr char kColourInk[] = "#1a1a1a";
constexpr char kColourMuted[] = "#4d4d4d";
// Text over grid lines stays legible: a white outline painted under it.
constexpr char kHalo[] =
    " paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\"";

size_t Utf8Length(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// At most `max_chars` code points, ending in an ellipsis when cut.
std::string Shorten(absl::string_view text, size_t max_chars) {
  if (Utf8Length(text) <= max_chars) return std::string(text);
  if (max_chars < 2) return "\xE2\x80\xA6";
  size_t kept = 0, i = 0;
  for (; i < text.size(); ++i) {
    const bool lead = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (lead && ++kept > max_chars - 1) break;
  }
  return absl::StrCat(text.substr(0, i), "\xE2\x80\xA6");
}

void Text(std::string& out, double x, double y, absl::string_view anchor, absl::string_view text,
          absl::string_view extra = "") {
  absl::StrAppend(&out, "<text x=\"", Coord(x), "\" y=\"", Coord(y), "\" text-anchor=\"", anchor,
                  "\" fill=\"", kColourInk, "\"", extra, ">", EscapeXml(text), "</text>");
}

void Line(std::string& out, double x1, double y1, double x2, double y2, absl::string_view stroke,
          absl::string_view extra = "") {
  absl::StrAppend(&out, "<line x1=\"", Coord(x1), "\" y1=\"", Coord(y1), "\" x2=\"", Coord(x2),
                  "\" y2=\"", Coord(y2), "\" stroke=\"", stroke, "\"", extra, "/>");
}

void Square(std::string& out, double x, double y, double half = 5) {
  absl::StrAppend(&out, "<rect class=\"point\" x=\"", Coord(x - half), "\" y=\"", Coord(y - half),
                  "\" width=\"", Coord(2 * half), "\" height=\"", Coord(2 * half), "\" fill=\"",
                  kColourGroup, "\"/>");
}

void Diamond(std::string& out, double x, double y, double half = 7) {
  absl::StrAppend(&out, "<polygon class=\"point diamond\" points=\"", Coord(x), ",",
                  Coord(y - half), " ", Coord(x + half), ",", Coord(y), " ", Coord(x), ",",
                  Coord(y + half), " ", Coord(x - half), ",", Coord(y), "\" fill=\"",
                  kColourDifference, "\"/>");
}

// An arrowhead with its tip at x, pointing left (direction -1) or right (+1):
// the interval goes on beyond the axis.
void Arrow(std::string& out, double x, double y, int direction, absl::string_view colour) {
  const double back = x - direction * 9;
  absl::StrAppend(&out, "<polygon class=\"clipped\" points=\"", Coord(x), ",", Coord(y), " ",
                  Coord(back), ",", Coord(y - 5), " ", Coord(back), ",", Coord(y + 5),
                  "\" fill=\"", colour, "\"/>");
}

bool IsPoint(const ForestRow& row) { return row.kind != ForestRow::Kind::kText; }

std::string RowSentence(const ForestRow& row) {
  std::string sentence = row.label;
  if (!row.detail.empty()) absl::StrAppend(&sentence, " (", row.detail, ")");
  absl::StrAppend(&sentence, ": ", IsPoint(row) ? row.value_text : row.text, ".");
  return sentence;
}

// The domain that covers the panel's points and intervals (and its
// reference line), within the panel's extent.
ValueAxis PanelAxis(const ForestPanel& panel) {
  double lo = panel.extent.always_lo, hi = panel.extent.always_hi;
  if (panel.reference) {
    lo = std::min(lo, *panel.reference);
    hi = std::max(hi, *panel.reference);
  }
  for (const ForestRow& row : panel.rows) {
    if (!IsPoint(row)) continue;
    lo = std::min(lo, row.point);
    hi = std::max(hi, row.point);
    if (row.ci) {
      lo = std::min(lo, row.ci->low);
      hi = std::max(hi, row.ci->high);
    }
  }
  return IntervalAxis(lo, hi, panel.extent, kMaxTicks);
}

struct Legend {
  bool difference = false;
  bool clipped = false;
};

bool RowClipped(const ForestRow& row, const ValueAxis& axis) {
  if (!IsPoint(row)) return false;
  if (row.point < axis.lo || row.point > axis.hi) return true;
  return row.ci && (row.ci->low < axis.lo || row.ci->high > axis.hi);
}

void DrawLegend(std::string& out, const Legend& legend) {
  out += "<g aria-hidden=\"true\" font-size=\"13\">";
  Line(out, kLeft, 16, kLeft + 22, 16, kColourGroup, " stroke-width=\"2\"");
  Square(out, kLeft + 11, 16);
  Text(out, kLeft + 28, 20, "start", "estimate, 95% interval");
  double x = kLeft + 192;
  if (legend.difference) {
    Diamond(out, x + 8, 16);
    Text(out, x + 20, 20, "start", "difference");
    x += 104;
  }
  if (legend.clipped) {
    Line(out, x, 16, x + 14, 16, kColourInk, " stroke-width=\"2\"");
    Arrow(out, x + 22, 16, +1, kColourInk);
    Text(out, x + 28, 20, "start", "beyond the axis");
  }
  out += "</g>";
}

void DrawRow(std::string& out, const ForestRow& row, const ValueAxis* axis, const LinearScale& x,
             double top) {
  const bool point = IsPoint(row) && axis != nullptr;
  const char* colour = row.kind == ForestRow::Kind::kDifference ? kColourDifference : kColourGroup;
  std::string title = RowSentence(row);
  if (point && RowClipped(row, *axis)) {
    absl::StrAppend(&title, " The interval continues beyond the axis (", Coord(axis->lo), " to ",
                    Coord(axis->hi), ").");
  }
  const char* kind = row.kind == ForestRow::Kind::kDifference ? "difference"
                     : row.kind == ForestRow::Kind::kEstimate ? "estimate"
                                                              : "text";
  absl::StrAppend(&out, "<g class=\"row ", kind, "\" data-label=\"", EscapeXml(row.label),
                  "\"><title>", EscapeXml(title), "</title>");
  // Line 1: the name, and the figure at the right.
  const std::string& figure = IsPoint(row) ? row.value_text : std::string();
  const double figure_width = Utf8Length(figure) * kCharWidth14;
  const size_t label_chars = static_cast<size_t>(
      std::max(4.0, (kRight - kLeft - figure_width - 12) / kCharWidthBold14));
  Text(out, kLeft, top + 15, "start", Shorten(row.label, label_chars),
       absl::StrCat(" font-weight=\"600\"", kHalo));
  if (!figure.empty()) {
    Text(out, kRight, top + 15, "end", figure,
         absl::StrCat(" class=\"value\"", kHalo));
  }
  // Line 2: what the figure rests on.
  if (!row.detail.empty()) {
    absl::StrAppend(&out, "<text x=\"", Coord(kLeft), "\" y=\"", Coord(top + 31),
                    "\" text-anchor=\"start\" fill=\"", kColourMuted, "\" font-size=\"13\"", kHalo,
                    ">",
                    EscapeXml(Shorten(row.detail, static_cast<size_t>((kRight - kLeft) / kCharWidth13))),
                    "</text>");
  }
  // Line 3: the whisker and the point, or the reason there is none.
  const double y = top + 45;
  if (!point) {
    Text(out, kLeft, y + 4, "start",
         Shorten(row.text, static_cast<size_t>((kRight - kLeft) / kCharWidth13)),
         absl::StrCat(" class=\"withheld\" font-style=\"italic\" font-size=\"13\"", kHalo));
    out += "</g>";
    return;
  }
  if (row.ci) {
    const ClippedInterval c = ClipInterval(row.ci->low, row.ci->high, axis->lo, axis->hi);
    if (!c.outside) {
      Line(out, x.Map(c.low), y, x.Map(c.high), y, colour, " class=\"ci\" stroke-width=\"2\"");
      if (!c.low_clipped) Line(out, x.Map(c.low), y - 5, x.Map(c.low), y + 5, colour, " stroke-width=\"2\"");
      if (!c.high_clipped) Line(out, x.Map(c.high), y - 5, x.Map(c.high), y + 5, colour, " stroke-width=\"2\"");
    }
    if (c.low_clipped) Arrow(out, kLeft, y, -1, colour);
    if (c.high_clipped) Arrow(out, kRight, y, +1, colour);
  }
  if (row.point < axis->lo) {
    if (!row.ci) Arrow(out, kLeft, y, -1, colour);
  } else if (row.point > axis->hi) {
    if (!row.ci) Arrow(out, kRight, y, +1, colour);
  } else if (row.kind == ForestRow::Kind::kDifference) {
    Diamond(out, x.Map(row.point), y);
  } else {
    Square(out, x.Map(row.point), y);
  }
  out += "</g>";
}

double PanelHeight(const ForestPanel& panel) {
  double height = panel.heading.empty() ? 0 : kHeadingHeight;
  height += panel.rows.size() * kRowHeight;
  height += HasEstimate(panel) ? kReferenceLabelHeight + kAxisHeight : kNoteHeight;
  return height + kPanelGap;
}

// Draws one panel from `top`; returns the y below it.
double DrawPanel(std::string& out, const ForestPanel& panel, double top) {
  double y = top;
  if (!panel.heading.empty()) {
    Text(out, kLeft, y + 17, "start", panel.heading, " font-weight=\"700\" font-size=\"15\"");
    y += kHeadingHeight;
  }
  if (!HasEstimate(panel)) {
    // No axis without a point on it: an empty scale invites reading zeros.
    Text(out, kLeft, y + 15, "start", "Nothing to plot: no group has an estimate.",
         " class=\"no-plot\" font-weight=\"600\"");
    y += kNoteHeight;
    for (const ForestRow& row : panel.rows) {
      DrawRow(out, row, nullptr, LinearScale{}, y);
      y += kRowHeight;
    }
    return y + kPanelGap;
  }
  const ValueAxis axis = PanelAxis(panel);
  const LinearScale x{axis.lo, axis.hi, kLeft, kRight};
  const double rows_top = y + kReferenceLabelHeight;
  const double rows_bottom = rows_top + panel.rows.size() * kRowHeight;
  // Grid and reference first, so rows draw over them.
  for (double tick : axis.ticks) {
    Line(out, x.Map(tick), rows_top, x.Map(tick), rows_bottom, "#e0e0e0");
  }
  if (panel.reference && *panel.reference >= axis.lo && *panel.reference <= axis.hi) {
    const double rx = x.Map(*panel.reference);
    Line(out, rx, rows_top - 2, rx, rows_bottom, kColourInk,
         " class=\"reference\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"");
    const char* anchor = rx < kLeft + 40 ? "start" : rx > kRight - 40 ? "end" : "middle";
    Text(out, rx, rows_top - 5, anchor, panel.reference_label, " font-size=\"13\"");
  }
  double row_top = rows_top;
  for (const ForestRow& row : panel.rows) {
    DrawRow(out, row, &axis, x, row_top);
    row_top += kRowHeight;
  }
  // The axis: a line, ticks with their values, and the label with units.
  Line(out, kLeft, rows_bottom, kRight, rows_bottom, kColourInk);
  for (size_t i = 0; i < axis.ticks.size(); ++i) {
    const double tx = x.Map(axis.ticks[i]);
    Line(out, tx, rows_bottom, tx, rows_bottom + 5, kColourInk);
    const char* anchor = i == 0 ? "start" : i + 1 == axis.ticks.size() ? "end" : "middle";
    Text(out, tx, rows_bottom + 19, anchor, Coord(axis.ticks[i]));
  }
  Text(out, (kLeft + kRight) / 2, rows_bottom + 40, "middle", panel.axis_label,
       " class=\"axis-label\" font-size=\"13\"");
  return rows_bottom + kAxisHeight + kPanelGap;
}

}  // namespace

bool HasEstimate(const ForestPanel& panel) {
  return std::any_of(panel.rows.begin(), panel.rows.end(), IsPoint);
}

bool HasEstimate(const ForestFigure& figure) {
  return std::any_of(figure.panels.begin(), figure.panels.end(),
                     [](const ForestPanel& panel) { return HasEstimate(panel); });
}

std::string ForestSvg(const ForestFigure& figure, bool standalone) {
  Legend legend;
  const bool plotted = HasEstimate(figure);
  double height = plotted ? kLegendHeight : 0;
  std::string desc = figure.desc;
  for (const ForestPanel& panel : figure.panels) {
    height += PanelHeight(panel);
    if (!desc.empty()) desc += " ";
    if (!panel.heading.empty()) absl::StrAppend(&desc, panel.heading, ". ");
    if (!HasEstimate(panel)) desc += "Nothing to plot: no group has an estimate. ";
    const ValueAxis axis = PanelAxis(panel);
    for (size_t i = 0; i < panel.rows.size(); ++i) {
      const ForestRow& row = panel.rows[i];
      absl::StrAppend(&desc, i ? " " : "", RowSentence(row));
      legend.difference |= row.kind == ForestRow::Kind::kDifference;
      legend.clipped |= HasEstimate(panel) && RowClipped(row, axis);
    }
  }
  std::string out;
  out.reserve(4096 + 1200 * figure.panels.size() * 4);
  if (standalone) out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(&out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", Coord(kWidth),
                  " ", Coord(height), "\" role=\"img\" aria-labelledby=\"", figure.id, "-title ",
                  figure.id, "-desc\" font-family=\"system-ui, 'DejaVu Sans', sans-serif\" "
                  "font-size=\"14\"><title id=\"",
                  figure.id, "-title\">", EscapeXml(figure.title), "</title><desc id=\"", figure.id,
                  "-desc\">", EscapeXml(desc), "</desc>",
                  "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
  if (plotted) DrawLegend(out, legend);
  double y = plotted ? kLegendHeight : 0;
  for (const ForestPanel& panel : figure.panels) y = DrawPanel(out, panel, y);
  out += "</svg>";
  return out;
}

}  // namespace scoliomassage::core
