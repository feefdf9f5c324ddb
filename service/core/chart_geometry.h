// The arithmetic of the report's charts, kept apart from drawing so it can be
// tested exactly: linear scales, "nice" ticks, and the rule that turns a
// series with holes into separate line segments (a missing session is a gap
// in the line, never an interpolated point).
#pragma once

#include <optional>
#include <vector>

namespace scoliomassage::core {

// Maps a domain [d0, d1] linearly onto a range [r0, r1] (r1 < r0 is fine:
// SVG's y grows downwards). A zero-width domain maps everything to the
// middle of the range rather than dividing by zero.
struct LinearScale {
  double d0 = 0, d1 = 1, r0 = 0, r1 = 1;
  double Map(double value) const;
};

// Ticks at 1, 2 or 5 times a power of ten covering [lo, hi], at most
// `max_ticks` of them (at least 2 when lo < hi). The first tick is <= lo and
// the last >= hi, so the axis covers the data. lo == hi gives one tick.
std::vector<double> NiceTicks(double lo, double hi, int max_ticks);

// The pain axis is the whole 0-10 NRS scale, always: a chart zoomed to 3-5
// would make a one-point change look dramatic.
inline constexpr int kPainScaleMin = 0;
inline constexpr int kPainScaleMax = 10;
std::vector<double> PainTicks();  // 0, 2, 4, 6, 8, 10

// Session numbers are whole: integer ticks within [first, last], starting at
// `first`, about `max_ticks` of them.
std::vector<double> SessionTicks(int first, int last, int max_ticks);

// One observation of a series: x is the session number, y may be missing.
struct SeriesPoint {
  int x = 0;
  std::optional<double> y;
};

// Splits points (sorted by x) into runs that may be joined by a line: a run
// ends where y is missing or where a session number is skipped (x jumps by
// more than 1). Points with the same x stay in one run. A run of one point
// is drawn as a marker with no line.
std::vector<std::vector<SeriesPoint>> LineSegments(const std::vector<SeriesPoint>& points);

// A trend needs at least two observations; one point is "not enough data".
inline constexpr int kMinPointsForTrend = 2;

// A value axis for estimates with intervals (a forest plot). The axis always
// covers [always_lo, always_hi] (so a small difference is not zoomed into a
// dramatic one) and widens in nice ticks to cover the data [data_lo, data_hi],
// but never past [cap_lo, cap_hi] (the values that can exist: a change on a
// 0-10 scale lies in [-10, 10]). An interval beyond the cap is clipped at the
// axis end and marked (ClipInterval), never allowed to rescale the others.
struct AxisExtent {
  double always_lo = 0, always_hi = 1;
  double cap_lo = 0, cap_hi = 1;
};
struct ValueAxis {
  double lo = 0, hi = 1;        // the drawn domain, the first and last tick
  std::vector<double> ticks;    // nice, ascending, within [lo, hi]
};
ValueAxis IntervalAxis(double data_lo, double data_hi, const AxisExtent& extent, int max_ticks);

// [low, high] cut to the domain [d0, d1]; a clipped end is drawn as an arrow
// saying "continues beyond the axis". `outside` when nothing of the interval
// lies in the domain (then low == high == the nearer end).
struct ClippedInterval {
  double low = 0, high = 0;
  bool low_clipped = false, high_clipped = false;
  bool outside = false;
};
ClippedInterval ClipInterval(double low, double high, double d0, double d1);

}  // namespace scoliomassage::core
