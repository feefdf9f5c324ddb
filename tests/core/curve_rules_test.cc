// The curve-over-time rules (core/curve_progression.h), with cases computed
// by hand, their boundaries, and how the engine uses them at check-in.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "catalog/loader.h"
#include "core/curve_history.h"
#include "core/curve_progression.h"
#include "core/curve_validation.h"
#include "core/engine.h"
#include "core/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr int64_t kMonthUs = static_cast<int64_t>(kDaysPerMonth * 86400.0 * 1e6);
// 2026-06-01T00:00:00Z.
constexpr int64_t kNowUs = 1780272000LL * 1000000;

v1::CurveMeasurement Film(int n, int64_t taken_at_us, double cobb,
                          v1::SpineRegion region = v1::SPINE_REGION_THORACIC) {
  v1::CurveMeasurement film;
  film.set_name(absl::StrCat("curveMeasurements/", std::string(31, '0'), n));
  film.set_patient_id("p");
  film.mutable_taken_at()->set_seconds(taken_at_us / 1000000);
  film.mutable_taken_at()->set_nanos(static_cast<int32_t>(taken_at_us % 1000000) * 1000);
  film.set_spine_region(region);
  film.set_cobb_angle_degrees(cobb);
  film.set_measured_by("dr-a");
  return film;
}

std::vector<const v1::CurveMeasurement*> Pointers(const std::vector<v1::CurveMeasurement>& films) {
  return FilmsOfRegion(films, v1::SPINE_REGION_THORACIC);
}

TEST(CurveProgressionTest, MonthIsAnAverageGregorianMonth) {
  EXPECT_DOUBLE_EQ(MonthsBetween(0, static_cast<int64_t>(30.436875 * 86400 * 1e6)), 1.0);
  EXPECT_DOUBLE_EQ(MonthsBetween(0, static_cast<int64_t>(365.2425 * 86400 * 1e6)), 12.0);
}

TEST(CurveProgressionTest, SlowTrueProgressionOverThreeFilms) {
  // 20 -> 24 -> 28 over 10 months: 28 - 20 = 8 degrees in 10 months = 0.8 a
  // month: true progression, not rapid. 28 - 24 = 4 is within error.
  const std::vector<v1::CurveMeasurement> films = {Film(1, 0, 20), Film(2, 6 * kMonthUs, 24),
                                                   Film(3, 10 * kMonthUs, 28)};
  const auto selected = Pointers(films);
  auto largest = LargestIncrease(selected);
  ASSERT_TRUE(largest.has_value());
  EXPECT_EQ(largest->from, &films[0]);
  EXPECT_EQ(largest->to, &films[2]);
  EXPECT_NEAR(largest->degrees, 8, 1e-9);
  EXPECT_NEAR(largest->months, 10, 1e-6);
  EXPECT_NEAR(largest->degrees_per_month, 0.8, 1e-6);
  EXPECT_TRUE(IsTrueProgression(*largest));
  EXPECT_FALSE(IsRapidProgression(*largest));
  auto fastest = FastestProgression(selected);
  ASSERT_TRUE(fastest.has_value());
  EXPECT_EQ(fastest->from, &films[0]);
}

TEST(CurveProgressionTest, TwoChangesWithinErrorAddUpToRapidProgression) {
  // 20 -> 24 -> 28, a month apart: each step is 4 (within error), together
  // 8 degrees in 2 months = 4 a month.
  const std::vector<v1::CurveMeasurement> films = {Film(1, 0, 20), Film(2, kMonthUs, 24),
                                                   Film(3, 2 * kMonthUs, 28)};
  auto fastest = FastestProgression(Pointers(films));
  ASSERT_TRUE(fastest.has_value());
  EXPECT_NEAR(fastest->degrees_per_month, 4, 1e-6);
  EXPECT_TRUE(IsRapidProgression(*fastest));
}

TEST(CurveProgressionTest, FiveDegreesIsTheThresholdOfTrueProgression) {
  const std::vector<v1::CurveMeasurement> five = {Film(1, 0, 20.0), Film(2, 12 * kMonthUs, 25.0)};
  ASSERT_TRUE(LargestIncrease(Pointers(five)).has_value());
  EXPECT_TRUE(IsTrueProgression(*LargestIncrease(Pointers(five))));
  const std::vector<v1::CurveMeasurement> under = {Film(1, 0, 20.0), Film(2, 12 * kMonthUs, 24.9)};
  EXPECT_FALSE(IsTrueProgression(*LargestIncrease(Pointers(under))));
  EXPECT_FALSE(FastestProgression(Pointers(under)).has_value());
}

TEST(CurveProgressionTest, OneDegreeAMonthIsNotYetRapid) {
  // 6 degrees in exactly 6 months is 1.0 a month: "more than 1" is not met.
  const std::vector<v1::CurveMeasurement> exact = {Film(1, 0, 21), Film(2, 6 * kMonthUs, 27)};
  EXPECT_FALSE(IsRapidProgression(*FastestProgression(Pointers(exact))));
  // 6.5 degrees in 6 months is 1.083 a month.
  const std::vector<v1::CurveMeasurement> faster = {Film(1, 0, 21), Film(2, 6 * kMonthUs, 27.5)};
  EXPECT_TRUE(IsRapidProgression(*FastestProgression(Pointers(faster))));
}

TEST(CurveProgressionTest, TheFastestEarlierFilmDecidesRapid) {
  // From 20 (24 months back): 7 degrees, 0.29 a month. From 21 (5 months
  // back): 6 degrees in 5 months, 1.2 a month: rapid.
  const std::vector<v1::CurveMeasurement> films = {Film(1, 0, 20), Film(2, 19 * kMonthUs, 21),
                                                   Film(3, 24 * kMonthUs, 27)};
  auto largest = LargestIncrease(Pointers(films));
  EXPECT_EQ(largest->from, &films[0]);
  auto fastest = FastestProgression(Pointers(films));
  ASSERT_TRUE(fastest.has_value());
  EXPECT_EQ(fastest->from, &films[1]);
  EXPECT_NEAR(fastest->degrees_per_month, 1.2, 1e-6);
  EXPECT_TRUE(IsRapidProgression(*fastest));
}

TEST(CurveProgressionTest, SmallerCurvesOtherRegionsAndSameDayFilmsAreNoProgression) {
  const std::vector<v1::CurveMeasurement> smaller = {Film(1, 0, 30), Film(2, kMonthUs, 24)};
  EXPECT_FALSE(LargestIncrease(Pointers(smaller)).has_value());
  const std::vector<v1::CurveMeasurement> regions = {
      Film(1, 0, 10, v1::SPINE_REGION_LUMBAR), Film(2, kMonthUs, 30, v1::SPINE_REGION_THORACIC)};
  EXPECT_EQ(Pointers(regions).size(), 1u);
  EXPECT_FALSE(LargestIncrease(Pointers(regions)).has_value());
  const std::vector<v1::CurveMeasurement> same_day = {Film(1, kMonthUs, 20), Film(2, kMonthUs, 29)};
  EXPECT_FALSE(LargestIncrease(Pointers(same_day)).has_value());
  EXPECT_FALSE(LargestIncrease({}).has_value());
}

int64_t UtcMicros(int year, int month, int day, int hour = 0) {
  return absl::ToUnixMicros(
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, 0, 0), absl::UTCTimeZone()));
}

TEST(CurveProgressionTest, ImagingIsOutOfDateAfterTwelveCalendarMonths) {
  const v1::CurveMeasurement film = Film(1, UtcMicros(2025, 3, 10, 12), 20);
  EXPECT_FALSE(ImagingOutOfDate(film, UtcMicros(2026, 3, 10, 12)));
  EXPECT_TRUE(ImagingOutOfDate(film, UtcMicros(2026, 3, 10, 12) + 1));
  EXPECT_FALSE(ImagingOutOfDate(film, UtcMicros(2025, 9, 1)));
  // 12 months after 29 February is 1 March.
  const v1::CurveMeasurement leap = Film(2, UtcMicros(2024, 2, 29), 20);
  EXPECT_FALSE(ImagingOutOfDate(leap, UtcMicros(2025, 3, 1)));
  EXPECT_TRUE(ImagingOutOfDate(leap, UtcMicros(2025, 3, 1) + 1));
}

// --- validation ---------------------------------------------------------

v1::RecordCurveMeasurementRequest GoodRecord() {
  v1::RecordCurveMeasurementRequest request;
  request.set_request_id("123e4567-e89b-12d3-a456-426614174000");
  *request.mutable_measurement() = Film(1, kNowUs - kMonthUs, 24);
  request.mutable_measurement()->clear_name();
  request.mutable_measurement()->set_risser_grade(2);
  request.mutable_measurement()->set_apex("T8");
  return request;
}

TEST(CurveValidationTest, AGoodRequestPasses) {
  EXPECT_TRUE(ValidateRecordCurveMeasurementRequest(GoodRecord(), kNowUs).ok());
}

TEST(CurveValidationTest, EveryBadFieldIsNamed) {
  v1::RecordCurveMeasurementRequest request = GoodRecord();
  request.set_request_id("not-a-uuid");
  auto* m = request.mutable_measurement();
  m->set_cobb_angle_degrees(120.5);
  m->set_risser_grade(6);
  m->set_spine_region(static_cast<v1::SpineRegion>(42));
  m->mutable_taken_at()->set_seconds(kNowUs / 1000000 + 3600);
  m->set_convex_side(v1::SIDE_BOTH);
  m->clear_measured_by();
  absl::Status status = ValidateRecordCurveMeasurementRequest(request, kNowUs);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& [field, why] : FieldViolationsOf(status)) fields.push_back(field);
  EXPECT_THAT(fields, UnorderedElementsAre("request_id", "measurement.cobb_angle_degrees",
                                           "measurement.risser_grade", "measurement.spine_region",
                                           "measurement.taken_at", "measurement.convex_side",
                                           "measurement.measured_by"));
}

TEST(CurveValidationTest, BoundariesOfTheRanges) {
  for (double cobb : {0.0, 120.0}) {
    auto request = GoodRecord();
    request.mutable_measurement()->set_cobb_angle_degrees(cobb);
    EXPECT_TRUE(ValidateRecordCurveMeasurementRequest(request, kNowUs).ok()) << cobb;
  }
  auto negative = GoodRecord();
  negative.mutable_measurement()->set_cobb_angle_degrees(-0.1);
  EXPECT_THAT(FieldViolationsOf(ValidateRecordCurveMeasurementRequest(negative, kNowUs)),
              UnorderedElementsAre(Pair("measurement.cobb_angle_degrees", HasSubstr("0 and 120"))));
  for (int risser : {0, 5}) {
    auto request = GoodRecord();
    request.mutable_measurement()->set_risser_grade(risser);
    EXPECT_TRUE(ValidateRecordCurveMeasurementRequest(request, kNowUs).ok()) << risser;
  }
  auto skew = GoodRecord();
  skew.mutable_measurement()->mutable_taken_at()->set_seconds(kNowUs / 1000000 + 59);
  EXPECT_TRUE(ValidateRecordCurveMeasurementRequest(skew, kNowUs).ok());
  auto unspecified = GoodRecord();
  unspecified.mutable_measurement()->set_spine_region(v1::SPINE_REGION_UNSPECIFIED);
  EXPECT_THAT(FieldViolationsOf(ValidateRecordCurveMeasurementRequest(unspecified, kNowUs)),
              UnorderedElementsAre(Pair("measurement.spine_region", HasSubstr("required"))));
}

TEST(CurveValidationTest, AmendNeedsANameAndAReason) {
  v1::AmendCurveMeasurementRequest request;
  request.set_request_id("123e4567-e89b-12d3-a456-426614174001");
  request.set_name("outcomes/0123");
  *request.mutable_measurement() = GoodRecord().measurement();
  std::vector<std::string> fields;
  for (const auto& [field, why] :
       FieldViolationsOf(ValidateAmendCurveMeasurementRequest(request, kNowUs))) {
    fields.push_back(field);
  }
  EXPECT_THAT(fields, UnorderedElementsAre("name", "reason"));
}

// --- the engine at check-in --------------------------------------------

class CurveCheckInTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = catalog::LoadCatalog(SCOLIOMASSAGE_TEST_CATALOG_DIR);
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    engine_ = std::make_unique<ProtocolEngine>(*std::move(catalog));
  }

  static v1::RecommendProtocolRequest Request(int age, std::optional<int> risser) {
    v1::RecommendProtocolRequest request;
    request.set_patient_id("p");
    auto* profile = request.mutable_profile();
    profile->set_primary_region(v1::SPINE_REGION_THORACIC);
    profile->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
    profile->set_convex_side(v1::SIDE_RIGHT);
    profile->set_age_years(age);
    if (risser) profile->set_risser_grade(*risser);
    request.mutable_screening()->set_pain_nrs(3);
    return request;
  }

  v1::RecommendProtocolResponse Recommend(const v1::RecommendProtocolRequest& request,
                                          std::vector<v1::CurveMeasurement> films) {
    PatientProgress progress;
    progress.curve_measurements = std::move(films);
    progress.as_of_us = kNowUs;
    auto response = engine_->Recommend(request, progress);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::RecommendProtocolResponse();
  }

  static const v1::Card* FindCard(const v1::RecommendProtocolResponse& response,
                                  const std::string& rule) {
    for (const auto& card : response.cards()) {
      if (card.rule_id() == rule) return &card;
    }
    return nullptr;
  }

  std::unique_ptr<ProtocolEngine> engine_;
};

TEST_F(CurveCheckInTest, GrowingPatientWithoutCobbUsesTheLatestFilmAndWarnsOfRapidProgression) {
  // 20 -> 28 in 4 months (2 a month), Risser 1 on the older film.
  std::vector<v1::CurveMeasurement> films = {Film(1, kNowUs - 5 * kMonthUs, 20),
                                             Film(2, kNowUs - kMonthUs, 28)};
  films[0].set_risser_grade(1);
  const auto response = Recommend(Request(13, std::nullopt), films);
  EXPECT_EQ(response.basis().curve_measurement(), films[1].name());
  EXPECT_EQ(response.basis().curve_severity(), "moderate (21-35 degrees)");
  EXPECT_THAT(response.basis().curve_progression(), HasSubstr("rapid: +8 degrees (20 to 28)"));
  EXPECT_THAT(response.basis().summary(), HasSubstr("Cobb angle from the latest stored film"));
  EXPECT_THAT(response.basis().summary(), HasSubstr("Risser 1 from the film of"));
  const v1::Card* rapid = FindCard(response, "curve.rapid_progression");
  ASSERT_NE(rapid, nullptr);
  EXPECT_EQ(rapid->indicator(), v1::INDICATOR_WARNING);
  EXPECT_THAT(rapid->summary(), HasSubstr("See a scoliosis specialist"));
  EXPECT_THAT(rapid->detail(), HasSubstr("neither causes nor reverses"));
  EXPECT_THAT(rapid->source(), HasSubstr("Morrissy RT"));
  EXPECT_EQ(FindCard(response, "curve.progression"), nullptr);
  EXPECT_EQ(FindCard(response, "curve.no_imaging"), nullptr);
  EXPECT_NE(response.decision(), v1::DECISION_REFER);  // massage may go on
}

TEST_F(CurveCheckInTest, AdultProgressionIsInformationNotAWarning) {
  const std::vector<v1::CurveMeasurement> films = {Film(1, kNowUs - 5 * kMonthUs, 20),
                                                   Film(2, kNowUs - kMonthUs, 28)};
  const auto response = Recommend(Request(40, 5), films);
  EXPECT_EQ(FindCard(response, "curve.rapid_progression"), nullptr);
  const v1::Card* card = FindCard(response, "curve.progression");
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(card->indicator(), v1::INDICATOR_INFO);
  EXPECT_THAT(response.basis().curve_progression(), HasSubstr("true progression: +8 degrees"));
}

TEST_F(CurveCheckInTest, OldImagingInAPossiblyGrowingPatientIsFlagged) {
  const std::vector<v1::CurveMeasurement> films = {Film(1, kNowUs - 14 * kMonthUs, 22)};
  const auto young = Recommend(Request(12, std::nullopt), films);
  const v1::Card* card = FindCard(young, "curve.imaging_out_of_date");
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(card->indicator(), v1::INDICATOR_INFO);
  EXPECT_THAT(card->detail(), HasSubstr("possibly still growing"));
  EXPECT_EQ(FindCard(Recommend(Request(40, std::nullopt), films), "curve.imaging_out_of_date"),
            nullptr);
}

TEST_F(CurveCheckInTest, ACobbAngleInTheRequestWinsOverTheFilms) {
  const std::vector<v1::CurveMeasurement> films = {Film(1, kNowUs - 3 * kMonthUs, 20),
                                                   Film(2, kNowUs - kMonthUs, 22)};
  auto request = Request(30, 5);
  request.mutable_profile()->set_cobb_angle_degrees(38);
  const auto response = Recommend(request, films);
  EXPECT_TRUE(response.basis().curve_measurement().empty());
  EXPECT_EQ(response.basis().curve_severity(), "moderate to severe (36-40 degrees)");
  EXPECT_EQ(response.basis().curve_progression(), "none beyond measurement error");
}

TEST_F(CurveCheckInTest, NoFilmsLeavesTheBasisAsBefore) {
  const auto response = Recommend(Request(30, 5), {});
  EXPECT_TRUE(response.basis().curve_measurement().empty());
  EXPECT_TRUE(response.basis().curve_progression().empty());
  EXPECT_NE(FindCard(response, "curve.no_imaging"), nullptr);
}

}  // namespace
}  // namespace scoliomassage::core
