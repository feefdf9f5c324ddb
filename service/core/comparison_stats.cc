#include "core/comparison_stats.h"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace scoliomassage::core {
namespace {

constexpr double kAlpha = 0.05;

double Z() {
  static const double z = boost::math::quantile(boost::math::normal(), 1 - kAlpha / 2);
  return z;
}

double TQuantile(double degrees_of_freedom) {
  return boost::math::quantile(boost::math::students_t(degrees_of_freedom), 1 - kAlpha / 2);
}

double ChiSquaredQuantile(double degrees_of_freedom, double p) {
  return boost::math::quantile(boost::math::chi_squared(degrees_of_freedom), p);
}

}  // namespace

MeanEstimate EstimateMean(const std::vector<double>& values) {
  MeanEstimate estimate;
  estimate.n = static_cast<int>(values.size());
  if (values.empty()) return estimate;
  double sum = 0;
  for (double value : values) sum += value;
  estimate.mean = sum / estimate.n;
  if (estimate.n < 2) return estimate;
  double squares = 0;
  for (double value : values) squares += (value - estimate.mean) * (value - estimate.mean);
  estimate.sd = std::sqrt(squares / (estimate.n - 1));
  const double half = TQuantile(estimate.n - 1) * estimate.sd / std::sqrt(estimate.n);
  estimate.ci95 = Interval{estimate.mean - half, estimate.mean + half};
  return estimate;
}

ProportionEstimate EstimateProportion(int successes, int n) {
  ProportionEstimate estimate;
  estimate.successes = successes;
  estimate.n = n;
  if (n <= 0) return estimate;
  const double p = static_cast<double>(successes) / n;
  estimate.proportion = p;
  const double z = Z();
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
  // Clamp rounding at the ends: at 0 or n successes the bound is exactly 0 or 1.
  estimate.ci95 = Interval{successes == 0 ? 0.0 : std::max(0.0, centre - half),
                           successes == n ? 1.0 : std::min(1.0, centre + half)};
  return estimate;
}

RateEstimate EstimateRate(int events, double exposure, double per) {
  RateEstimate estimate;
  estimate.events = events;
  estimate.exposure = exposure;
  estimate.per = per;
  if (exposure <= 0) return estimate;
  const double scale = per / exposure;
  estimate.rate = events * scale;
  const double low = events == 0 ? 0.0 : ChiSquaredQuantile(2.0 * events, kAlpha / 2) / 2;
  const double high = ChiSquaredQuantile(2.0 * events + 2, 1 - kAlpha / 2) / 2;
  estimate.ci95 = Interval{low * scale, high * scale};
  return estimate;
}

DifferenceEstimate DifferenceOfMeans(const MeanEstimate& a, const MeanEstimate& b) {
  DifferenceEstimate estimate;
  estimate.difference = a.mean - b.mean;
  if (a.n < 2 || b.n < 2) return estimate;
  const double va = a.sd * a.sd / a.n;
  const double vb = b.sd * b.sd / b.n;
  const double se = std::sqrt(va + vb);
  if (se == 0) {
    estimate.ci95 = Interval{estimate.difference, estimate.difference};
    return estimate;
  }
  const double df = (va + vb) * (va + vb) / (va * va / (a.n - 1) + vb * vb / (b.n - 1));
  const double half = TQuantile(df) * se;
  estimate.ci95 = Interval{estimate.difference - half, estimate.difference + half};
  return estimate;
}

DifferenceEstimate DifferenceOfProportions(const ProportionEstimate& a, const ProportionEstimate& b) {
  DifferenceEstimate estimate;
  estimate.difference = a.proportion - b.proportion;
  if (!a.ci95 || !b.ci95) return estimate;
  const double p1 = a.proportion, p2 = b.proportion;
  const double l1 = a.ci95->low, u1 = a.ci95->high;
  const double l2 = b.ci95->low, u2 = b.ci95->high;
  const double delta = std::sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
  const double epsilon = std::sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
  estimate.ci95 = Interval{estimate.difference - delta, estimate.difference + epsilon};
  return estimate;
}

Suppression SuppressSmallCells(const std::vector<int>& patients, int total_patients,
                               int min_patients) {
  Suppression result;
  result.cells.assign(patients.size(), false);
  int count = 0;
  for (size_t i = 0; i < patients.size(); ++i) {
    if (patients[i] > 0 && patients[i] < min_patients) {
      result.cells[i] = true;
      ++count;
    }
  }
  result.total = total_patients > 0 && total_patients < min_patients;
  if (count == 1 && !result.total) {
    // One hidden cell would follow from the total: hide the smallest shown one too.
    std::optional<size_t> smallest;
    for (size_t i = 0; i < patients.size(); ++i) {
      if (result.cells[i] || patients[i] <= 0) continue;
      if (!smallest || patients[i] < patients[*smallest]) smallest = i;
    }
    if (smallest) {
      result.cells[*smallest] = true;
    } else {
      result.total = true;
    }
  }
  return result;
}

}  // namespace scoliomassage::core
