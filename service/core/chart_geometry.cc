#include "core/chart_geometry.h"

#include <algorithm>
#include <cmath>

namespace scoliomassage::core {

double LinearScale::Map(double value) const {
  if (d1 == d0) return (r0 + r1) / 2;
  return r0 + (value - d0) * (r1 - r0) / (d1 - d0);
}

std::vector<double> NiceTicks(double lo, double hi, int max_ticks) {
  if (hi < lo) std::swap(lo, hi);
  if (lo == hi || max_ticks < 2) return {lo};
  // The smallest 1/2/5 x 10^k step that needs at most max_ticks ticks.
  const double raw = (hi - lo) / (max_ticks - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double multiple : {1.0, 2.0, 5.0, 10.0}) {
    const double candidate = multiple * magnitude;
    const double first = std::floor(lo / candidate) * candidate;
    const double last = std::ceil(hi / candidate) * candidate;
    if ((last - first) / candidate + 1 <= max_ticks + 1e-9) {
      step = candidate;
      break;
    }
  }
  const double first = std::floor(lo / step) * step;
  const double last = std::ceil(hi / step) * step;
  std::vector<double> ticks;
  for (int i = 0;; ++i) {
    // Multiplying (not accumulating) keeps 0.1 steps free of drift.
    double tick = first + i * step;
    if (std::fabs(tick) < step * 1e-9) tick = 0;
    if (tick > last + step * 1e-9) break;
    ticks.push_back(tick);
  }
  return ticks;
}

std::vector<double> PainTicks() { return {0, 2, 4, 6, 8, 10}; }

std::vector<double> SessionTicks(int first, int last, int max_ticks) {
  if (last < first) std::swap(first, last);
  if (first == last) return {static_cast<double>(first)};
  std::vector<double> ticks = NiceTicks(first, last, max_ticks);
  // A step below 1 would label sessions that cannot exist (2.5).
  if (ticks.size() >= 2 && ticks[1] - ticks[0] < 1) {
    ticks.clear();
    for (int x = first; x <= last; ++x) ticks.push_back(x);
  }
  // Only sessions in the range, and always the first one, so the axis never
  // labels a session 0.
  std::vector<double> inside{static_cast<double>(first)};
  for (double tick : ticks) {
    if (tick > first && tick <= last) inside.push_back(tick);
  }
  return inside;
}

std::vector<std::vector<SeriesPoint>> LineSegments(const std::vector<SeriesPoint>& points) {
  std::vector<std::vector<SeriesPoint>> runs;
  std::vector<SeriesPoint> run;
  for (const SeriesPoint& point : points) {
    if (!point.y.has_value()) {
      if (!run.empty()) runs.push_back(std::move(run));
      run.clear();
      continue;
    }
    if (!run.empty() && point.x - run.back().x > 1) {
      runs.push_back(std::move(run));
      run.clear();
    }
    run.push_back(point);
  }
  if (!run.empty()) runs.push_back(std::move(run));
  return runs;
}

ValueAxis IntervalAxis(double data_lo, double data_hi, const AxisExtent& extent, int max_ticks) {
  if (data_hi < data_lo) std::swap(data_lo, data_hi);
  const double lo = std::max(extent.cap_lo, std::min(data_lo, extent.always_lo));
  const double hi = std::min(extent.cap_hi, std::max(data_hi, extent.always_hi));
  ValueAxis axis;
  for (double tick : NiceTicks(lo, hi, max_ticks)) {
    // Nice ticks may round outwards past the cap: a tick at a value that
    // cannot exist would invite reading the axis as wider than the scale.
    if (tick >= extent.cap_lo - 1e-9 && tick <= extent.cap_hi + 1e-9) axis.ticks.push_back(tick);
  }
  if (axis.ticks.empty()) axis.ticks = {lo, hi};
  axis.lo = std::min(axis.ticks.front(), lo);
  axis.hi = std::max(axis.ticks.back(), hi);
  if (axis.ticks.front() > axis.lo) axis.ticks.insert(axis.ticks.begin(), axis.lo);
  if (axis.ticks.back() < axis.hi) axis.ticks.push_back(axis.hi);
  return axis;
}

ClippedInterval ClipInterval(double low, double high, double d0, double d1) {
  if (high < low) std::swap(low, high);
  if (d1 < d0) std::swap(d0, d1);
  ClippedInterval out;
  out.low_clipped = low < d0;
  out.high_clipped = high > d1;
  out.low = std::clamp(low, d0, d1);
  out.high = std::clamp(high, d0, d1);
  out.outside = high < d0 || low > d1;
  return out;
}

}  // namespace scoliomassage::core
