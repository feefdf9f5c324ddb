// Curves over time: pure rules over a patient's stored films (no I/O, no
// clock: the check-in time is an argument).
//
//  * True progression: the latest film's Cobb angle is 5 degrees or more
//    above an earlier film's. Smaller changes are within the error of
//    measuring the Cobb angle (Morrissy 1990: 95% limits of about 3-5
//    degrees for one observer, 6-7 between observers).
//  * Rapid progression: a true progression at more than 1 degree a month,
//    in a patient who is (or may be) still growing (SOSORT 2016).
//  * Imaging out of date: the latest film is more than 12 calendar months
//    old in a patient who is (or may be) still growing.
//
// The latest film is compared with every earlier film of the same region,
// not only the one before it: two changes of 4 degrees each are within
// measurement error alone, but 8 degrees across three films are not.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "scoliomassage/v1/curve.pb.h"

namespace scoliomassage::core {

inline constexpr double kTrueProgressionDegrees = 5;
inline constexpr double kRapidProgressionDegreesPerMonth = 1;
inline constexpr int kImagingMaxAgeMonths = 12;
// An average Gregorian month, for rates: 365.2425 / 12 days.
inline constexpr double kDaysPerMonth = 30.436875;

// A change between an earlier film and the latest one (positive: larger).
struct CurveChange {
  const v1::CurveMeasurement* from = nullptr;
  const v1::CurveMeasurement* to = nullptr;
  double degrees = 0;
  double months = 0;
  double degrees_per_month = 0;
};

int64_t TakenAtMicros(const v1::CurveMeasurement& film);
double MonthsBetween(int64_t from_us, int64_t to_us);

// The films of `region`, oldest first (taken_at, then name). Pointers into
// `films`, which must outlive the result.
std::vector<const v1::CurveMeasurement*> FilmsOfRegion(
    const std::vector<v1::CurveMeasurement>& films, v1::SpineRegion region);

// The latest film of `films` (any order); null when empty.
const v1::CurveMeasurement* LatestFilm(const std::vector<const v1::CurveMeasurement*>& films);

// The largest increase from an earlier film (taken strictly before) to the
// latest film; none with fewer than two films at different times or when no
// earlier film is smaller.
std::optional<CurveChange> LargestIncrease(const std::vector<const v1::CurveMeasurement*>& films);

// Among the earlier films the latest is a true progression from, the one
// with the fastest rate; none when there is no true progression.
std::optional<CurveChange> FastestProgression(
    const std::vector<const v1::CurveMeasurement*>& films);

bool IsTrueProgression(const CurveChange& change);
// True progression at more than 1 degree a month (growth is the caller's
// condition).
bool IsRapidProgression(const CurveChange& change);

// True when `now_us` is more than 12 calendar months after the film (UTC):
// a film taken 2025-03-10 12:00 is out of date after 2026-03-10 12:00.
bool ImagingOutOfDate(const v1::CurveMeasurement& film, int64_t now_us);

}  // namespace scoliomassage::core
