#include "core/curve_progression.h"

#include <algorithm>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace scoliomassage::core {
namespace {

// Cobb angles are doubles from the wire: 25.0 - 20.0 must count as 5.
constexpr double kDegreesTolerance = 1e-9;

}  // namespace

int64_t TakenAtMicros(const v1::CurveMeasurement& film) {
  return film.taken_at().seconds() * 1000000 + film.taken_at().nanos() / 1000;
}

double MonthsBetween(int64_t from_us, int64_t to_us) {
  return static_cast<double>(to_us - from_us) / (kDaysPerMonth * 86400.0 * 1e6);
}

std::vector<const v1::CurveMeasurement*> FilmsOfRegion(
    const std::vector<v1::CurveMeasurement>& films, v1::SpineRegion region) {
  std::vector<const v1::CurveMeasurement*> selected;
  for (const auto& film : films) {
    if (film.spine_region() == region) selected.push_back(&film);
  }
  std::sort(selected.begin(), selected.end(), [](const auto* a, const auto* b) {
    const int64_t ta = TakenAtMicros(*a), tb = TakenAtMicros(*b);
    return ta != tb ? ta < tb : a->name() < b->name();
  });
  return selected;
}

const v1::CurveMeasurement* LatestFilm(const std::vector<const v1::CurveMeasurement*>& films) {
  const v1::CurveMeasurement* latest = nullptr;
  for (const auto* film : films) {
    if (latest == nullptr || TakenAtMicros(*film) > TakenAtMicros(*latest) ||
        (TakenAtMicros(*film) == TakenAtMicros(*latest) && film->name() > latest->name())) {
      latest = film;
    }
  }
  return latest;
}

namespace {

// Every change from a film taken strictly before the latest one.
std::vector<CurveChange> ChangesToLatest(const std::vector<const v1::CurveMeasurement*>& films) {
  std::vector<CurveChange> changes;
  const v1::CurveMeasurement* latest = LatestFilm(films);
  if (latest == nullptr) return changes;
  const int64_t latest_us = TakenAtMicros(*latest);
  for (const auto* film : films) {
    const int64_t film_us = TakenAtMicros(*film);
    if (film_us >= latest_us) continue;
    CurveChange change;
    change.from = film;
    change.to = latest;
    change.degrees = latest->cobb_angle_degrees() - film->cobb_angle_degrees();
    change.months = MonthsBetween(film_us, latest_us);
    change.degrees_per_month = change.degrees / change.months;
    changes.push_back(change);
  }
  return changes;
}

}  // namespace

std::optional<CurveChange> LargestIncrease(const std::vector<const v1::CurveMeasurement*>& films) {
  std::optional<CurveChange> best;
  for (const CurveChange& change : ChangesToLatest(films)) {
    if (change.degrees <= 0) continue;
    // On a tie the more recent film wins: the faster, more current change.
    if (!best || change.degrees > best->degrees + kDegreesTolerance ||
        (change.degrees >= best->degrees - kDegreesTolerance && change.months < best->months)) {
      best = change;
    }
  }
  return best;
}

std::optional<CurveChange> FastestProgression(
    const std::vector<const v1::CurveMeasurement*>& films) {
  std::optional<CurveChange> best;
  for (const CurveChange& change : ChangesToLatest(films)) {
    if (!IsTrueProgression(change)) continue;
    if (!best || change.degrees_per_month > best->degrees_per_month) best = change;
  }
  return best;
}

bool IsTrueProgression(const CurveChange& change) {
  return change.degrees >= kTrueProgressionDegrees - kDegreesTolerance;
}

bool IsRapidProgression(const CurveChange& change) {
  return IsTrueProgression(change) &&
         change.degrees_per_month > kRapidProgressionDegreesPerMonth + kDegreesTolerance;
}

bool ImagingOutOfDate(const v1::CurveMeasurement& film, int64_t now_us) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time taken = absl::FromUnixMicros(TakenAtMicros(film));
  const absl::CivilSecond at = absl::ToCivilSecond(taken, utc);
  // CivilMonth arithmetic keeps the day: 12 months after 2024-02-29 is
  // 2025-03-01 (normalized), which is the conservative reading.
  const absl::CivilSecond limit(at.year() + 1, at.month(), at.day(), at.hour(), at.minute(),
                                at.second());
  return absl::FromUnixMicros(now_us) > absl::FromCivil(limit, utc);
}

}  // namespace scoliomassage::core
