#include "core/curve_history.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/clearances.h"
#include "core/curve_progression.h"
#include "core/curve_severity.h"
#include "core/sources.h"

namespace scoliomassage::core {
namespace {

constexpr char kNotCausedByMassage[] =
    " Massage neither causes nor reverses curve progression: it stays supportive care for pain "
    "and muscle tension.";

std::string FilmWords(const v1::CurveMeasurement& film) {
  return absl::StrFormat("the film of %s (Cobb %.0f degrees)", DateOf(film.taken_at()),
                         film.cobb_angle_degrees());
}

std::string ChangeWords(const CurveChange& change) {
  return absl::StrFormat("+%.0f degrees (%.0f to %.0f) in %.1f months since %s, %.1f degrees a month",
                         change.degrees, change.from->cobb_angle_degrees(),
                         change.to->cobb_angle_degrees(), change.months,
                         DateOf(change.from->taken_at()), change.degrees_per_month);
}

}  // namespace

CurveInputs ResolveCurveInputs(const v1::PatientProfile& sent,
                               const std::vector<v1::CurveMeasurement>& films) {
  CurveInputs inputs;
  inputs.profile = sent;
  inputs.films = FilmsOfRegion(films, sent.primary_region());
  const v1::CurveMeasurement* latest = LatestFilm(inputs.films);
  if (latest == nullptr) return inputs;
  if (!sent.has_cobb_angle_degrees()) {
    inputs.profile.set_cobb_angle_degrees(latest->cobb_angle_degrees());
    inputs.cobb_film = latest;
  }
  if (!sent.has_risser_grade()) {
    // The newest film that recorded one. An old grade can only make the
    // patient look younger than they are: the growing rules stay on.
    for (auto it = inputs.films.rbegin(); it != inputs.films.rend(); ++it) {
      if ((*it)->has_risser_grade()) {
        inputs.profile.set_risser_grade((*it)->risser_grade());
        inputs.risser_film = *it;
        break;
      }
    }
  }
  return inputs;
}

std::string AddCurveHistoryCards(const CurveInputs& inputs, int64_t now_us, v1::Basis& basis,
                                 Explanation& explanation) {
  const v1::CurveMeasurement* latest = LatestFilm(inputs.films);
  if (latest == nullptr) return "";
  std::string summary;
  if (inputs.cobb_film != nullptr) {
    basis.set_curve_measurement(inputs.cobb_film->name());
    explanation.Fire("curve.latest_film",
                     absl::StrCat("No Cobb angle in the request: used ", FilmWords(*inputs.cobb_film),
                                  " (", inputs.cobb_film->name(), ")"),
                     kSourceSosort);
    absl::StrAppend(&summary, " Cobb angle from the latest stored film (",
                    DateOf(inputs.cobb_film->taken_at()), ", ", inputs.cobb_film->name(),
                    "): the request carried none.");
  }
  if (inputs.risser_film != nullptr) {
    explanation.Fire("curve.latest_risser",
                     absl::StrFormat("No Risser grade in the request: used Risser %d from the film "
                                     "of %s",
                                     inputs.risser_film->risser_grade(),
                                     DateOf(inputs.risser_film->taken_at())),
                     kSourceSosort);
    absl::StrAppend(&summary, " Risser ", inputs.risser_film->risser_grade(), " from the film of ",
                    DateOf(inputs.risser_film->taken_at()), ".");
  }

  const Growth growth = GrowthOf(inputs.profile);
  const bool may_grow = growth == Growth::kGrowing || growth == Growth::kPossiblyGrowing;
  const std::string growth_words =
      growth == Growth::kGrowing
          ? absl::StrFormat("a growing patient (Risser %d)", inputs.profile.risser_grade())
          : absl::StrFormat("a patient who is possibly still growing (age %d, Risser unknown: "
                            "confirm skeletal maturity)",
                            inputs.profile.age_years());

  const std::optional<CurveChange> fastest = FastestProgression(inputs.films);
  const std::optional<CurveChange> largest = LargestIncrease(inputs.films);
  if (fastest && may_grow && IsRapidProgression(*fastest)) {
    basis.set_curve_progression(absl::StrCat("rapid: ", ChangeWords(*fastest)));
    explanation.AddCard(
        v1::INDICATOR_WARNING, "curve.rapid_progression",
        absl::StrFormat("Rapid curve progression: +%.0f degrees in %.1f months. See a scoliosis "
                        "specialist soon.",
                        fastest->degrees, fastest->months),
        absl::StrCat(
            "The latest film shows ", ChangeWords(*fastest), ", in ", growth_words,
            ". A change of 5 degrees or more is beyond the error of measuring the Cobb angle, and "
            "more than about 1 degree a month while growing is rapid progression. Refer the "
            "patient to a scoliosis specialist for review soon (the treatment plan, such as "
            "bracing, may need to change). Massage may go on.",
            kNotCausedByMassage),
        absl::StrCat(kSourceSosort, "; ", kSourceCobbError));
    absl::StrAppend(&summary, " Curve progression: ", ChangeWords(*fastest), " (rapid).");
  } else if (largest && IsTrueProgression(*largest)) {
    basis.set_curve_progression(absl::StrCat("true progression: ", ChangeWords(*largest)));
    explanation.AddCard(
        v1::INDICATOR_INFO, "curve.progression",
        absl::StrFormat("The curve has progressed: +%.0f degrees since %s.", largest->degrees,
                        DateOf(largest->from->taken_at())),
        absl::StrCat("The latest film shows ", ChangeWords(*largest),
                     ". A change of 5 degrees or more between films is beyond the error of "
                     "measuring the Cobb angle, so the curve has really progressed. Make sure "
                     "the physician following the curve has seen the films.",
                     kNotCausedByMassage),
        absl::StrCat(kSourceCobbError, "; ", kSourceSosort));
    absl::StrAppend(&summary, " Curve progression: ", ChangeWords(*largest), ".");
  } else if (inputs.films.size() >= 2) {
    basis.set_curve_progression("none beyond measurement error");
    explanation.Fire("curve.no_progression",
                     absl::StrFormat("%d films of this region: no increase of 5 degrees or more "
                                     "(within the error of measuring the Cobb angle)",
                                     static_cast<int>(inputs.films.size())),
                     kSourceCobbError);
    absl::StrAppend(&summary, " No curve progression beyond measurement error across ",
                    inputs.films.size(), " films.");
  }

  if (may_grow && now_us > 0 && ImagingOutOfDate(*latest, now_us)) {
    const double age_months = MonthsBetween(TakenAtMicros(*latest), now_us);
    explanation.AddCard(
        v1::INDICATOR_INFO, "curve.imaging_out_of_date",
        absl::StrFormat("The latest film is %.0f months old: imaging may be out of date.",
                        age_months),
        absl::StrCat("The latest stored film of this region is from ", DateOf(latest->taken_at()),
                     ", more than 12 months ago, in ", growth_words,
                     ". A curve can progress while the patient grows; ask whether newer imaging "
                     "exists and record it, or raise follow-up imaging with the physician."),
        kSourceSosort);
    absl::StrAppend(&summary, " The latest film is more than 12 months old.");
  }
  return summary;
}

}  // namespace scoliomassage::core
