// The statistics of a protocol comparison, in one place: intervals for a
// mean change, a responder proportion and an adverse-event rate, and for the
// difference between two groups; and the small-cell rules that withhold or
// suppress a group. Pure functions over numbers, tested against published and
// hand-computed values; the service only feeds them.
//
// All intervals are two-sided 95%. Methods and sources:
// - mean: Student's t (Student 1908); difference of means: Welch's t with the
//   Welch-Satterthwaite degrees of freedom (Welch 1947);
// - proportion: Wilson's score interval (Wilson 1927), recommended over the
//   Wald interval for small samples and proportions near 0 or 1 (Newcombe
//   1998, Stat Med 17:857); difference of proportions: Newcombe's hybrid score
//   interval, his method 10 (Newcombe 1998, Stat Med 17:873);
// - event rate: the exact (Garwood 1936) Poisson interval from chi-square
//   quantiles, which stays valid at zero events.
#pragma once

#include <optional>
#include <vector>

namespace scoliomassage::core {

// Below this many episodes a group's estimates are withheld ("not enough
// data"): an interval from a handful of episodes says little and invites
// over-reading.
inline constexpr int kMinEpisodesForEstimate = 10;
// For the analytics role, a group of fewer patients than this is suppressed
// (shown as suppressed, never as 0), so that no individual can be singled out.
inline constexpr int kMinPatientsForAnalytics = 5;

struct Interval {
  double low = 0;
  double high = 0;
};

struct MeanEstimate {
  int n = 0;
  double mean = 0;
  double sd = 0;                    // sample standard deviation (n - 1)
  std::optional<Interval> ci95;     // absent when n < 2
};
MeanEstimate EstimateMean(const std::vector<double>& values);

struct ProportionEstimate {
  int successes = 0;
  int n = 0;
  double proportion = 0;            // 0 when n == 0
  std::optional<Interval> ci95;     // Wilson; absent when n == 0
};
ProportionEstimate EstimateProportion(int successes, int n);

struct RateEstimate {
  int events = 0;
  double exposure = 0;              // e.g. sessions
  double per = 100;                 // the rate is events per `per` units of exposure
  double rate = 0;
  std::optional<Interval> ci95;     // exact Poisson; absent when exposure == 0
};
RateEstimate EstimateRate(int events, double exposure, double per = 100);

struct DifferenceEstimate {
  double difference = 0;            // a - b
  std::optional<Interval> ci95;     // absent when either side has no interval
};
// Welch: a.mean - b.mean from the summaries EstimateMean returns.
DifferenceEstimate DifferenceOfMeans(const MeanEstimate& a, const MeanEstimate& b);
// Newcombe's method 10: a.proportion - b.proportion.
DifferenceEstimate DifferenceOfProportions(const ProportionEstimate& a, const ProportionEstimate& b);

// Small-cell suppression for analytics. `patients[i]` is the number of
// distinct patients in cell i of one table whose total is also shown. Cells
// below `min_patients` are suppressed; if that leaves exactly one suppressed
// cell (its value would follow from the total minus the others), the smallest
// remaining cell is suppressed too (complementary suppression). Cells with 0
// patients are not shown at all and do not count. The total is suppressed
// when it is itself small, or when a lone small cell has no complement (the
// total would then equal it). `total_patients` is the distinct patients of
// the whole table (a patient may sit in several cells).
struct Suppression {
  std::vector<bool> cells;
  bool total = false;
};
Suppression SuppressSmallCells(const std::vector<int>& patients, int total_patients,
                               int min_patients = kMinPatientsForAnalytics);

}  // namespace scoliomassage::core
