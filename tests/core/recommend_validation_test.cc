// Each bad field of a RecommendProtocolRequest comes back as a field
// violation that names it.
#include "core/recommend_validation.h"

#include <functional>
#include <limits>
#include <ostream>
#include <string>

#include "core/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::core {
namespace {

using ::testing::Contains;
using ::testing::Key;

v1::RecommendProtocolRequest ValidRequest() {
  v1::RecommendProtocolRequest request;
  request.set_patient_id("patient-1");
  request.set_encounter_id("visit-9");
  request.set_session_number(4);
  auto* profile = request.mutable_profile();
  profile->set_age_years(15);
  profile->set_primary_region(v1::SPINE_REGION_THORACIC);
  profile->set_curve_pattern(v1::CURVE_PATTERN_S_CURVE);
  profile->set_convex_side(v1::SIDE_RIGHT);
  profile->set_cobb_angle_degrees(28);
  profile->set_risser_grade(2);
  auto* screening = request.mutable_screening();
  screening->set_pain_nrs(4);
  screening->add_contraindications(v1::CONTRAINDICATION_PREGNANCY);
  screening->set_notes("Sore after school, \xc3\xa9t\xc3\xa9.");
  request.set_guardian_consent(v1::GUARDIAN_CONSENT_GIVEN);
  auto* clearance = request.add_clearances();
  clearance->set_subject(v1::CLEARANCE_SUBJECT_ADVERSE_EVENT);
  clearance->set_cleared_by("Dr M. Rivera, GP");
  clearance->mutable_cleared_at()->set_seconds(1796000000);
  clearance->set_note("Assessed after tingling in the left hand; no deficit.");
  return request;
}

TEST(RecommendValidationTest, ValidRequestPasses) {
  EXPECT_TRUE(ValidateRecommendRequest(ValidRequest()).ok());
}

TEST(RecommendValidationTest, MinimalRequestPasses) {
  v1::RecommendProtocolRequest request;
  request.set_patient_id("p");
  request.mutable_profile()->set_primary_region(v1::SPINE_REGION_LUMBAR);
  EXPECT_TRUE(ValidateRecommendRequest(request).ok());
}

TEST(RecommendValidationTest, BoundaryValuesPass) {
  auto request = ValidRequest();
  request.set_patient_id(std::string(128, 'x'));
  request.set_session_number(1000);
  request.mutable_profile()->set_age_years(120);
  request.mutable_profile()->set_cobb_angle_degrees(120);
  request.mutable_profile()->set_risser_grade(5);
  request.mutable_screening()->set_pain_nrs(10);
  request.mutable_screening()->set_notes(std::string(2000, 'n'));
  EXPECT_TRUE(ValidateRecommendRequest(request).ok());
}

struct BadFieldCase {
  const char* name;
  std::function<void(v1::RecommendProtocolRequest&)> breaks;
  const char* field;
};
// Test names, not byte dumps, in failure messages.
void PrintTo(const BadFieldCase& test, std::ostream* out) { *out << test.name; }


class BadFieldTest : public ::testing::TestWithParam<BadFieldCase> {};

TEST_P(BadFieldTest, NamesTheField) {
  auto request = ValidRequest();
  GetParam().breaks(request);
  absl::Status status = ValidateRecommendRequest(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  auto violations = FieldViolationsOf(status);
  EXPECT_THAT(violations, Contains(Key(GetParam().field))) << status;
  for (const auto& [field, description] : violations) EXPECT_FALSE(description.empty()) << field;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BadFieldTest,
    ::testing::Values(
        BadFieldCase{"PatientIdMissing", [](auto& r) { r.clear_patient_id(); }, "patient_id"},
        BadFieldCase{"PatientIdTooLong", [](auto& r) { r.set_patient_id(std::string(129, 'x')); }, "patient_id"},
        BadFieldCase{"PatientIdNotUtf8", [](auto& r) { r.set_patient_id("p\xff"); }, "patient_id"},
        BadFieldCase{"EncounterIdTooLong", [](auto& r) { r.set_encounter_id(std::string(129, 'x')); }, "encounter_id"},
        BadFieldCase{"SessionNumberZero", [](auto& r) { r.set_session_number(0); }, "session_number"},
        BadFieldCase{"SessionNumberTooLarge", [](auto& r) { r.set_session_number(1001); }, "session_number"},
        BadFieldCase{"ProfileMissing", [](auto& r) { r.clear_profile(); }, "profile"},
        BadFieldCase{"RegionMissing", [](auto& r) { r.mutable_profile()->clear_primary_region(); }, "profile.primary_region"},
        BadFieldCase{"RegionUnknown", [](auto& r) { r.mutable_profile()->set_primary_region(static_cast<v1::SpineRegion>(42)); }, "profile.primary_region"},
        BadFieldCase{"PatternUnknown", [](auto& r) { r.mutable_profile()->set_curve_pattern(static_cast<v1::CurvePattern>(9)); }, "profile.curve_pattern"},
        BadFieldCase{"ConvexSideBoth", [](auto& r) { r.mutable_profile()->set_convex_side(v1::SIDE_BOTH); }, "profile.convex_side"},
        BadFieldCase{"AgeNegative", [](auto& r) { r.mutable_profile()->set_age_years(-1); }, "profile.age_years"},
        BadFieldCase{"AgeTooHigh", [](auto& r) { r.mutable_profile()->set_age_years(121); }, "profile.age_years"},
        BadFieldCase{"CobbNegative", [](auto& r) { r.mutable_profile()->set_cobb_angle_degrees(-0.5); }, "profile.cobb_angle_degrees"},
        BadFieldCase{"CobbTooHigh", [](auto& r) { r.mutable_profile()->set_cobb_angle_degrees(120.5); }, "profile.cobb_angle_degrees"},
        BadFieldCase{"CobbNaN", [](auto& r) { r.mutable_profile()->set_cobb_angle_degrees(std::numeric_limits<double>::quiet_NaN()); }, "profile.cobb_angle_degrees"},
        BadFieldCase{"RisserNegative", [](auto& r) { r.mutable_profile()->set_risser_grade(-1); }, "profile.risser_grade"},
        BadFieldCase{"RisserTooHigh", [](auto& r) { r.mutable_profile()->set_risser_grade(6); }, "profile.risser_grade"},
        BadFieldCase{"PainNegative", [](auto& r) { r.mutable_screening()->set_pain_nrs(-1); }, "screening.pain_nrs"},
        BadFieldCase{"PainTooHigh", [](auto& r) { r.mutable_screening()->set_pain_nrs(11); }, "screening.pain_nrs"},
        BadFieldCase{"ContraindicationUnknown", [](auto& r) { r.mutable_screening()->add_contraindications(static_cast<v1::Contraindication>(99)); }, "screening.contraindications"},
        BadFieldCase{"ContraindicationUnspecified", [](auto& r) { r.mutable_screening()->add_contraindications(v1::CONTRAINDICATION_UNSPECIFIED); }, "screening.contraindications"},
        BadFieldCase{"NotesTooLong", [](auto& r) { r.mutable_screening()->set_notes(std::string(2001, 'n')); }, "screening.notes"},
        BadFieldCase{"NotesNotUtf8", [](auto& r) { r.mutable_screening()->set_notes("bad \xc3\x28 byte"); }, "screening.notes"},
        BadFieldCase{"NotesOverlongUtf8", [](auto& r) { r.mutable_screening()->set_notes("\xc0\xaf"); }, "screening.notes"},
        BadFieldCase{"NotesSurrogateUtf8", [](auto& r) { r.mutable_screening()->set_notes("\xed\xa0\x80"); }, "screening.notes"},
        BadFieldCase{"NotesTruncatedUtf8", [](auto& r) { r.mutable_screening()->set_notes("\xe2\x82"); }, "screening.notes"},
        // Clearances are clinical records: what, by whom and when are required.
        BadFieldCase{"ClearanceSubjectMissing", [](auto& r) { r.mutable_clearances(0)->clear_subject(); }, "clearances[0].subject"},
        BadFieldCase{"ClearanceSubjectUnknown", [](auto& r) { r.mutable_clearances(0)->set_subject(static_cast<v1::ClearanceSubject>(7)); }, "clearances[0].subject"},
        BadFieldCase{"ClearedByMissing", [](auto& r) { r.mutable_clearances(0)->clear_cleared_by(); }, "clearances[0].cleared_by"},
        BadFieldCase{"ClearedByTooLong", [](auto& r) { r.mutable_clearances(0)->set_cleared_by(std::string(129, 'x')); }, "clearances[0].cleared_by"},
        BadFieldCase{"ClearedByNotUtf8", [](auto& r) { r.mutable_clearances(0)->set_cleared_by("Dr \xff"); }, "clearances[0].cleared_by"},
        BadFieldCase{"ClearedAtMissing", [](auto& r) { r.mutable_clearances(0)->clear_cleared_at(); }, "clearances[0].cleared_at"},
        BadFieldCase{"ClearedAtOutOfRange", [](auto& r) { r.mutable_clearances(0)->mutable_cleared_at()->set_seconds(253402300800); }, "clearances[0].cleared_at"},
        BadFieldCase{"ClearedAtBadNanos", [](auto& r) { r.mutable_clearances(0)->mutable_cleared_at()->set_nanos(-1); }, "clearances[0].cleared_at"},
        BadFieldCase{"ClearanceNoteTooLong", [](auto& r) { r.mutable_clearances(0)->set_note(std::string(1001, 'n')); }, "clearances[0].note"},
        BadFieldCase{"SecondClearanceNamed", [](auto& r) { r.add_clearances()->set_cleared_by("x"); }, "clearances[1].subject"},
        BadFieldCase{"TooManyClearances", [](auto& r) { for (int i = 0; i < 16; ++i) *r.add_clearances() = r.clearances(0); }, "clearances"},
        BadFieldCase{"GuardianConsentUnknown", [](auto& r) { r.set_guardian_consent(static_cast<v1::GuardianConsent>(5)); }, "guardian_consent"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RecommendValidationTest, ReportsEveryBadFieldAtOnce) {
  auto request = ValidRequest();
  request.clear_patient_id();
  request.mutable_profile()->set_age_years(200);
  request.mutable_screening()->set_pain_nrs(12);
  auto violations = FieldViolationsOf(ValidateRecommendRequest(request));
  EXPECT_THAT(violations, Contains(Key("patient_id")));
  EXPECT_THAT(violations, Contains(Key("profile.age_years")));
  EXPECT_THAT(violations, Contains(Key("screening.pain_nrs")));
  EXPECT_EQ(violations.size(), 3u);
}

}  // namespace
}  // namespace scoliomassage::core
