// A forest plot as inline SVG: one row per group with its estimate as a
// point and its 95% interval as a whisker, on one value axis with a reference
// line (0: no change). Drawing only; what the rows say comes from the caller
// (comparison_figures.h turns a protocol comparison into rows), so the same
// renderer takes more panels and rows as the comparison grows.
//
// Honesty rules the drawing enforces:
// - a row without an estimate (withheld, suppressed) is text, never a point:
//   it cannot be read as 0;
// - the axis covers a fixed minimum extent and the data, capped at the values
//   that can exist; an interval beyond the cap is clipped at the axis end with
//   an arrow, and its true ends are in the row's text and tooltip;
// - a panel with no estimate at all draws no axis: there is nothing to read
//   off it.
// Each row is stacked (name and figure, then counts, then the whisker) so the
// plot reads on a 360 px phone without a label column squeezing the axis.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/chart_geometry.h"
#include "core/comparison_stats.h"

namespace scoliomassage::core {

struct ForestRow {
  enum class Kind {
    kEstimate,    // a group: a square at the point
    kDifference,  // a difference between groups: a diamond at the point
    kText,        // no estimate: `text` says why
  };
  Kind kind = Kind::kText;
  std::string label;       // the group, or "first minus second"
  std::string detail;      // the counts behind the row, e.g. "24 episodes, 12 patients"
  double point = 0;        // kEstimate and kDifference only
  std::optional<Interval> ci;
  std::string value_text;  // the figure exactly as the data table prints it
  std::string text;        // kText: e.g. "Not enough data: 7 episodes (fewer than 10)"
};

struct ForestPanel {
  std::string heading;     // drawn above the rows; may be empty with one panel
  std::string axis_label;  // with units
  AxisExtent extent;
  std::optional<double> reference;  // a vertical line, e.g. 0
  std::string reference_label;      // e.g. "no change"
  std::vector<ForestRow> rows;
};

struct ForestFigure {
  std::string id;     // unique in the page: prefixes the title and desc ids
  std::string title;
  std::string desc;   // the first sentence of <desc>; each row adds its own
  std::vector<ForestPanel> panels;
};

// True when a panel has at least one point to draw.
bool HasEstimate(const ForestPanel& panel);
bool HasEstimate(const ForestFigure& figure);

// `standalone` adds the XML declaration for a .svg file.
std::string ForestSvg(const ForestFigure& figure, bool standalone);

}  // namespace scoliomassage::core
