// The CDS Hooks mapping (shipped data/cds_mapping.json), hook request checks,
// cards and the status conversion, without a server.
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "core/errors.h"
#include "http/cds_hooks.h"
#include "http/cds_mapping.h"
#include "http/json_util.h"
#include "http/status_conversion.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 6, 15, 12, 0, 0), absl::UTCTimeZone());

CdsMapping Shipped() {
  auto mapping = CdsMapping::Load(DefaultCdsMappingPath());
  EXPECT_TRUE(mapping.ok()) << mapping.status();
  return *mapping;
}

json Condition(const std::string& system, const std::string& code, const std::string& status = "active") {
  return {{"resourceType", "Condition"},
          {"clinicalStatus", {{"coding", {{{"code", status}}}}}},
          {"code", {{"coding", {{{"system", system}, {"code", code}}}}}}};
}

json Bundle(std::vector<json> resources) {
  json entries = json::array();
  for (auto& r : resources) entries.push_back({{"resource", r}});
  return {{"resourceType", "Bundle"}, {"entry", entries}};
}

constexpr char kIcd[] = "http://hl7.org/fhir/sid/icd-10-cm";

json Prefetch(const std::string& scoliosis_code) {
  return {{"patient", {{"resourceType", "Patient"}, {"id", "p1"}, {"birthDate", "2000-06-16"}}},
          {"scoliosis", Bundle({Condition(kIcd, scoliosis_code)})},
          {"conditions", Bundle({})}};
}

TEST(CdsMapping, RegionFromTheLastDigitOfM41) {
  const CdsMapping mapping = Shipped();
  const std::pair<const char*, v1::SpineRegion> cases[] = {
      {"M41.122", v1::SPINE_REGION_CERVICAL},       {"M41.113", v1::SPINE_REGION_CERVICOTHORACIC},
      {"M41.24", v1::SPINE_REGION_THORACIC},        {"M41.125", v1::SPINE_REGION_THORACOLUMBAR},
      {"M41.26", v1::SPINE_REGION_LUMBAR},          {"M41.127", v1::SPINE_REGION_LUMBOSACRAL}};
  for (const auto& [code, region] : cases) {
    auto request = mapping.ToRequest({{"patientId", "p1"}}, Prefetch(code), kNow);
    ASSERT_TRUE(request.ok()) << code << ": " << request.status();
    EXPECT_EQ(request->profile().primary_region(), region) << code;
    EXPECT_EQ(request->patient_id(), "p1");
    EXPECT_EQ(request->profile().age_years(), 25) << "the day before the 26th birthday";
  }
}

TEST(CdsMapping, UnspecifiedSiteOrInactiveConditionGivesNoRegion) {
  const CdsMapping mapping = Shipped();
  auto unspecified = mapping.ToRequest({{"patientId", "p1"}}, Prefetch("M41.20"), kNow);
  ASSERT_FALSE(unspecified.ok());
  EXPECT_EQ(core::FieldViolationsOf(unspecified.status())[0].first, "prefetch.scoliosis");
  json prefetch = Prefetch("M41.26");
  prefetch["scoliosis"] = Bundle({Condition(kIcd, "M41.26", "resolved")});
  EXPECT_FALSE(mapping.ToRequest({{"patientId", "p1"}}, prefetch, kNow).ok());
}

TEST(CdsMapping, SnomedScoliosisWithBodySite) {
  json condition = Condition("http://snomed.info/sct", "298382003");
  condition["bodySite"] = {{{"coding", {{{"system", "http://snomed.info/sct"}, {"code", "122495006"}}}}}};
  json prefetch = Prefetch("M41.26");
  prefetch["scoliosis"] = Bundle({condition});
  auto request = Shipped().ToRequest({{"patientId", "p1"}}, prefetch, kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->profile().primary_region(), v1::SPINE_REGION_THORACIC);
}

TEST(CdsMapping, ContraindicationsFromActiveConditions) {
  json prefetch = Prefetch("M41.26");
  prefetch["conditions"] = Bundle({Condition(kIcd, "I82.409"), Condition(kIcd, "Z34.00"),
                                   Condition(kIcd, "M81.0"), Condition(kIcd, "Z79.01"),
                                   Condition(kIcd, "S32.009A", "resolved"), Condition(kIcd, "J45.909")});
  auto request = Shipped().ToRequest({{"patientId", "p1"}}, prefetch, kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  std::set<int> found(request->screening().contraindications().begin(),
                      request->screening().contraindications().end());
  EXPECT_EQ(found, (std::set<int>{v1::CONTRAINDICATION_SUSPECTED_DVT, v1::CONTRAINDICATION_PREGNANCY,
                                  v1::CONTRAINDICATION_SEVERE_OSTEOPOROSIS, v1::CONTRAINDICATION_ANTICOAGULANTS}));
}

TEST(CdsMapping, LatestCobbAndPainObservations) {
  auto observation = [](const std::string& system, const std::string& code, const std::string& date, json value) {
    json o = {{"resourceType", "Observation"}, {"status", "final"}, {"effectiveDateTime", date},
              {"code", {{"coding", {{{"system", system}, {"code", code}}}}}}};
    o.update(value);
    return o;
  };
  json prefetch = Prefetch("M41.26");
  json cobb = observation("urn:scoliomassage:codes", "cobb-angle", "2026-01-01", {{"valueQuantity", {{"value", 31.5}}}});
  cobb["component"] = {
      {{"code", {{"coding", {{{"system", "urn:scoliomassage:codes"}, {"code", "convex-side"}}}}}}, {"valueString", "Left"}},
      {{"code", {{"coding", {{{"system", "urn:scoliomassage:codes"}, {"code", "risser-grade"}}}}}}, {"valueInteger", 2}}};
  prefetch["cobb"] = Bundle({observation("urn:scoliomassage:codes", "cobb-angle", "2025-01-01", {{"valueQuantity", {{"value", 20}}}}), cobb});
  prefetch["pain"] = Bundle({observation("http://loinc.org", "72514-3", "2026-02-01", {{"valueInteger", 7}})});
  auto request = Shipped().ToRequest({{"patientId", "p1"}}, prefetch, kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_DOUBLE_EQ(request->profile().cobb_angle_degrees(), 31.5);
  EXPECT_EQ(request->profile().convex_side(), v1::SIDE_LEFT);
  EXPECT_EQ(request->profile().risser_grade(), 2);
  EXPECT_EQ(request->screening().pain_nrs(), 7);

  prefetch["pain"] = Bundle({observation("http://loinc.org", "72514-3", "2026-02-01", {{"valueInteger", 6.5}})});
  auto bad = Shipped().ToRequest({{"patientId", "p1"}}, prefetch, kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(core::FieldViolationsOf(bad.status())[0].first, "prefetch.pain.valueInteger");
}

TEST(CdsMapping, MissingPrefetchIs412) {
  json prefetch = Prefetch("M41.26");
  prefetch.erase("patient");
  auto request = Shipped().ToRequest({{"patientId", "p1"}}, prefetch, kNow);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(HttpStatusOf(request.status()), 412);
  prefetch = Prefetch("M41.26");
  prefetch["conditions"] = nullptr;
  EXPECT_EQ(HttpStatusOf(Shipped().ToRequest({{"patientId", "p1"}}, prefetch, kNow).status()), 412);
}

TEST(CdsMapping, BrokenMappingIsRefusedAtLoad) {
  EXPECT_FALSE(CdsMapping::Parse("{", "t").ok());
  EXPECT_FALSE(CdsMapping::Parse("{}", "t").ok());
  std::string text = R"({"scoliosis":{"icd10cmSystem":"s","icd10cmPrefix":"M41.","icd10cmStems":["M41.2"],
    "snomedSystem":"x","snomedCodes":["1"],"regionByLastDigit":{"2":"SPINE_REGION_NECK"}},
    "contraindications":[{"contraindication":"CONTRAINDICATION_FEVER","system":"s","codes":["R50.9"]}],
    "cobbObservation":{"system":"a","code":"b"},"painObservation":{"system":"c","code":"d"}})";
  auto broken = CdsMapping::Parse(text, "t");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("regionByLastDigit"), std::string::npos);
}

TEST(CdsHooks, HookRequestChecks) {
  const CdsMapping mapping = Shipped();
  const CdsService& checkin = *FindCdsService("scoliomassage-checkin");
  json body = {{"hook", "encounter-start"}, {"hookInstance", "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"},
               {"context", {{"patientId", "p1"}, {"encounterId", "e1"}}}, {"prefetch", Prefetch("M41.26")}};
  auto request = ParseHookRequest(checkin, body, mapping, kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->encounter_id(), "e1");
  json wrong = body;
  wrong["hook"] = "appointment-book";
  EXPECT_EQ(core::FieldViolationsOf(ParseHookRequest(checkin, wrong, mapping, kNow).status())[0].first, "hook");
  json no_instance = body;
  no_instance.erase("hookInstance");
  EXPECT_EQ(core::FieldViolationsOf(ParseHookRequest(checkin, no_instance, mapping, kNow).status())[0].first,
            "hookInstance");
  EXPECT_EQ(FindCdsService("scoliomassage-appointment")->hook, "appointment-book");
}

TEST(CdsHooks, CardsHaveNoEmptyValueAndShortSummaries) {
  v1::RecommendProtocolResponse response;
  response.set_recommendation_id("recommendations/abc");
  response.set_decision(v1::DECISION_PROCEED_MODIFIED);
  response.mutable_protocol()->set_protocol_id("lumbar-c-curve");
  response.mutable_protocol()->set_total_minutes(15);
  auto* step = response.mutable_protocol()->add_steps();
  step->set_order(1);
  step->set_body_area(v1::BODY_AREA_LEGS);
  step->set_technique("effleurage");
  step->set_minutes(15);
  auto* card = response.add_cards();
  card->set_summary(std::string(200, 'x'));
  card->set_indicator(v1::INDICATOR_WARNING);
  response.add_cards()->set_summary("info, no detail, no source");
  json cards = CardsResponse(response);
  ASSERT_EQ(cards["cards"].size(), 3u);
  EXPECT_EQ(cards["cards"][0]["indicator"], "info");
  EXPECT_NE(cards["cards"][0]["detail"].get<std::string>().find("1. **legs**"), std::string::npos);
  EXPECT_LT(cards["cards"][1]["summary"].get<std::string>().size(), 140u);
  EXPECT_TRUE(cards["cards"][1]["overrideReasons"][0].contains("display"));
  EXPECT_FALSE(cards["cards"][2].contains("detail"));
  EXPECT_FALSE(cards["cards"][2].contains("overrideReasons"));
  EXPECT_EQ(cards["cards"][2]["source"]["label"], "scoliomassage");
}

TEST(JsonUtil, PruneEmptyRemovesNestedEmpties) {
  json value = {{"a", nullptr}, {"b", ""}, {"c", json::array()}, {"d", {{"e", json::object()}}},
                {"f", {1, nullptr, ""}}, {"g", "kept"}};
  PruneEmpty(value);
  EXPECT_EQ(value, (json{{"f", {1}}, {"g", "kept"}}));
}

TEST(JsonUtil, TruncateUtf8NeverSplitsACharacter) {
  EXPECT_EQ(TruncateUtf8("short", 140), "short");
  const std::string umlauts(300, 'a');
  EXPECT_EQ(TruncateUtf8(umlauts, 140).size(), 139u);
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "\xC3\xA9";  // é
  const std::string cut = TruncateUtf8(accents, 140);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  EXPECT_EQ((cut.size() - 3) % 2, 0u);
}

TEST(StatusConversion, MirrorsTheGrpcMapping) {
  EXPECT_EQ(HttpStatusOf(absl::InvalidArgumentError("x")), 400);
  EXPECT_EQ(HttpStatusOf(absl::UnauthenticatedError("x")), 401);
  EXPECT_EQ(HttpStatusOf(absl::PermissionDeniedError("x")), 403);
  EXPECT_EQ(HttpStatusOf(absl::NotFoundError("x")), 404);
  EXPECT_EQ(HttpStatusOf(absl::ResourceExhaustedError("x")), 429);
  EXPECT_EQ(HttpStatusOf(core::WithReason(absl::ResourceExhaustedError("x"), "OVERLOADED")), 503);
  EXPECT_EQ(HttpStatusOf(absl::UnavailableError("x")), 503);
  const HttpError error = ToHttpError(core::InvalidField("hook", "is required"));
  json body = json::parse(error.body);
  EXPECT_EQ(body["error"]["reason"], "INVALID_REQUEST");
  EXPECT_EQ(body["error"]["fieldViolations"][0]["field"], "hook");
}

}  // namespace
}  // namespace scoliomassage::http
