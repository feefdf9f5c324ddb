// Curve and questionnaire Observations (fhir_record_resources.h) without a
// server: codes, units, components, what each view leaves out, and that the
// CDS Hooks mapping reads our Cobb Observation back as prefetch.
#include "http/fhir_record_resources.h"

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "base/time.h"
#include "http/cds_mapping.h"
#include "http/fhir_search.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

v1::CurveMeasurement Film() {
  v1::CurveMeasurement m;
  m.set_name("curveMeasurements/0123456789abcdef0123456789abcdef");
  m.set_revision(2);
  *m.mutable_create_time() = base::TimeToTimestamp(absl::FromUnixSeconds(1770000000));
  m.set_patient_id("p1");
  *m.mutable_taken_at() = base::TimeToTimestamp(absl::FromUnixSeconds(1769000000));
  m.set_spine_region(v1::SPINE_REGION_LUMBAR);
  m.set_cobb_angle_degrees(31.5);
  m.set_convex_side(v1::SIDE_LEFT);
  m.set_apex("L2");
  m.set_risser_grade(3);
  m.set_measured_by("dr-x");
  m.set_amend_reason("misread");
  return m;
}

TEST(CurveObservation, CobbInDegreesWithComponents) {
  const json o = ObservationFromCurve(Film());
  EXPECT_EQ(o["id"], "curve-0123456789abcdef0123456789abcdef");
  EXPECT_EQ(o["status"], "amended");
  EXPECT_EQ(o["meta"]["versionId"], "2");
  EXPECT_EQ(o["code"]["coding"][0]["system"], kProjectCodeSystem);
  EXPECT_EQ(o["code"]["coding"][0]["code"], kCobbCode);
  EXPECT_EQ(o["valueQuantity"]["value"], 31.5);
  EXPECT_EQ(o["valueQuantity"]["code"], "deg");
  EXPECT_EQ(o["valueQuantity"]["system"], "http://unitsofmeasure.org");
  EXPECT_EQ(o["effectiveDateTime"], FhirDateTime(absl::FromUnixSeconds(1769000000)));
  EXPECT_EQ(o["bodySite"]["coding"][0]["code"], "122496007");
  EXPECT_EQ(o["component"].size(), 3u);
  EXPECT_EQ(o["component"][2]["valueInteger"], 3);
  EXPECT_NE(o["note"].dump().find("misread"), std::string::npos);
  EXPECT_EQ(CurveNameOfObservation(o["id"]), "curveMeasurements/0123456789abcdef0123456789abcdef");
  EXPECT_EQ(CurveNameOfObservation("curve-xyz"), "");
  EXPECT_EQ(CurveNameOfObservation("0123456789abcdef0123456789abcdef-pain-before"), "");
}

TEST(CurveObservation, TheCdsMappingReadsItBack) {
  auto mapping = CdsMapping::Load(DefaultCdsMappingPath());
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  const json condition = {{"resourceType", "Condition"},
                          {"code", {{"coding", {{{"system", "http://hl7.org/fhir/sid/icd-10-cm"}, {"code", "M41.126"}}}}}}};
  const json prefetch = {
      {"patient", {{"resourceType", "Patient"}, {"id", "p1"}, {"birthDate", "2000-01-01"}}},
      {"scoliosis", {{"resourceType", "Bundle"}, {"entry", {{{"resource", condition}}}}}},
      {"conditions", {{"resourceType", "Bundle"}}},
      {"cobb", {{"resourceType", "Bundle"}, {"entry", {{{"resource", ObservationFromCurve(Film())}}}}}}};
  auto request = mapping->ToRequest({{"patientId", "p1"}}, prefetch, absl::FromUnixSeconds(1770000000));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->profile().cobb_angle_degrees(), 31.5);
  EXPECT_EQ(request->profile().convex_side(), v1::SIDE_LEFT);
  EXPECT_EQ(request->profile().risser_grade(), 3);
}

v1::Assessment Srs() {
  v1::Assessment a;
  a.set_name("assessments/fedcba9876543210fedcba9876543210");
  a.set_patient_id("p1");
  a.set_instrument_id("srs22r");
  a.set_instrument_version("1");
  a.set_therapist_id("t-7");
  *a.mutable_performed_at() = base::TimeToTimestamp(absl::FromUnixSeconds(1769500000));
  auto add = [&](const char* domain, double value, bool scoreable) {
    v1::AssessmentScore* s = a.add_scores();
    s->set_domain(domain);
    s->set_value(value);
    s->set_scoreable(scoreable);
    s->set_answered_items(scoreable ? 5 : 1);
  };
  add("self_image", 3.4, true);
  add("pain", 0, false);
  add("total", 3.2, true);
  return a;
}

TEST(AssessmentObservations, OnePerScoreableScore) {
  const auto observations = ObservationsFromAssessment(Srs(), FhirView::kClinical);
  ASSERT_EQ(observations.size(), 2u);  // the unscoreable pain domain is left out
  EXPECT_EQ(observations[0]["id"], "fedcba9876543210fedcba9876543210-self-image");
  EXPECT_EQ(observations[0]["code"]["coding"][0]["code"], "srs22r-self-image");
  EXPECT_EQ(observations[0]["valueQuantity"]["value"], 3.4);
  EXPECT_EQ(observations[0]["category"][0]["coding"][0]["code"], "survey");
  EXPECT_EQ(observations[0]["subject"]["reference"], "Patient/p1");
  EXPECT_EQ(observations[0]["performer"][0]["identifier"]["value"], "t-7");
}

TEST(AssessmentObservations, AnalyticsSeePseudonymsAndNoTherapist) {
  v1::Assessment a = Srs();
  a.clear_patient_id();
  a.set_patient_pseudonym("p_abc");
  const auto observations = ObservationsFromAssessment(a, FhirView::kAnalytics);
  ASSERT_FALSE(observations.empty());
  EXPECT_FALSE(observations[0]["subject"].contains("reference"));
  EXPECT_EQ(observations[0]["subject"]["identifier"]["value"], "p_abc");
  EXPECT_FALSE(observations[0].contains("performer"));
}

TEST(AssessmentObservations, NrsIsLoincInteger) {
  EXPECT_EQ(ScoreCodeOf("nrs", "total").code, "72514-3");
  EXPECT_EQ(ScoreCodeOf("odi", "total").code, "odi-total");
  v1::Assessment a = Srs();
  a.set_instrument_id("nrs");
  a.clear_scores();
  v1::AssessmentScore* s = a.add_scores();
  s->set_domain("total");
  s->set_value(6);
  s->set_scoreable(true);
  const auto observations = ObservationsFromAssessment(a, FhirView::kClinical);
  ASSERT_EQ(observations.size(), 1u);
  EXPECT_EQ(observations[0]["valueInteger"], 6);
}

}  // namespace
}  // namespace scoliomassage::http

namespace scoliomassage::http {
namespace {

TEST(ObservationTokens, CodeAndCategoryFilters) {
  auto search = ParseFhirSearch({{"patient", "p1"}, {"code", "urn:scoliomassage:codes|cobb-angle,http://loinc.org|"}},
                                true, true, "Observation");
  ASSERT_TRUE(search.ok()) << search.status();
  ASSERT_EQ(search->codes.size(), 2u);
  EXPECT_TRUE(HasTokenFilter(*search));
  EXPECT_TRUE(MatchesTokens(*search, ObservationFromCurve(Film())));
  const auto scores = ObservationsFromAssessment(Srs(), FhirView::kClinical);
  EXPECT_FALSE(MatchesTokens(*search, scores[0]));  // urn:scoliomassage:codes|srs22r-self-image
  auto survey = ParseFhirSearch({{"patient", "p1"}, {"category", "survey"}}, true, true, "Observation");
  ASSERT_TRUE(survey.ok());
  EXPECT_TRUE(MatchesTokens(*survey, scores[0]));
  EXPECT_FALSE(MatchesTokens(*survey, ObservationFromCurve(Film())));
  auto any_code = ParseFhirSearch({{"patient", "p1"}, {"code", "|srs22r-total"}}, true, true, "Observation");
  ASSERT_TRUE(any_code.ok());
  EXPECT_FALSE(MatchesTokens(*any_code, scores[1]));  // "|code" means no system; ours has one
  EXPECT_FALSE(ParseFhirSearch({{"patient", "p1"}, {"code", "x"}}, true, true, "Procedure").ok());
  EXPECT_FALSE(ParseFhirSearch({{"patient", "p1"}, {"code", "|"}}, true, true, "Observation").ok());
  EXPECT_FALSE(ParseFhirSearch({{"patient", "p1"}, {"code", "a"}, {"code", "b"}}, true, true, "Observation").ok());
}

}  // namespace
}  // namespace scoliomassage::http
