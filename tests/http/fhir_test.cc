// The FHIR mapping, search parameters, paging and the OperationOutcome
// conversion, without a server (the process test validates the same
// resources with an independent validator).
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "base/time.h"
#include "core/errors.h"
#include "http/fhir_resources.h"
#include "http/fhir_search.h"
#include "http/status_conversion.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}

v1::Outcome Session(const std::string& id = "0123456789abcdef0123456789abcdef") {
  v1::Outcome outcome;
  outcome.set_name("outcomes/" + id);
  outcome.set_revision(1);
  *outcome.mutable_create_time() = base::TimeToTimestamp(At(2026, 3, 1, 11, 0, 0));
  outcome.set_patient_id("p-1");
  outcome.set_therapist_id("t-7");
  outcome.set_encounter_id("enc 9");
  outcome.set_protocol_id("lumbar-c-curve");
  outcome.set_spine_region(v1::SPINE_REGION_THORACOLUMBAR);
  outcome.set_session_number(2);
  outcome.set_minutes(20);
  outcome.set_pain_before(6);
  outcome.set_pain_after(3);
  outcome.set_relaxation_notes("relaxed well");
  *outcome.mutable_performed_at() = base::TimeToTimestamp(At(2026, 3, 1, 10, 0, 0));
  return outcome;
}

TEST(FhirResourcesTest, ProcedureCarriesCodesTimesPerformerAndVersion) {
  v1::Outcome outcome = Session();
  outcome.set_revision(2);
  outcome.set_amend_reason("pain after was 3, not 4");
  json procedure = ProcedureFromOutcome(outcome, FhirView::kClinical);
  EXPECT_EQ(procedure["resourceType"], "Procedure");
  EXPECT_EQ(procedure["id"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(procedure["status"], "completed");
  EXPECT_EQ(procedure["meta"]["versionId"], "2");
  EXPECT_EQ(procedure["code"]["coding"][0]["system"], kCptSystem);
  EXPECT_EQ(procedure["code"]["coding"][0]["code"], "97124");
  EXPECT_EQ(procedure["performedPeriod"]["start"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(procedure["performedPeriod"]["end"], "2026-03-01T10:20:00Z");
  EXPECT_EQ(procedure["performer"][0]["actor"]["identifier"]["value"], "t-7");
  EXPECT_EQ(procedure["subject"]["reference"], "Patient/p-1");
  // Thoracolumbar covers the thoracic and the lumbar column structures.
  ASSERT_EQ(procedure["bodySite"].size(), 2u);
  EXPECT_EQ(procedure["bodySite"][0]["coding"][0]["code"], "122495006");
  EXPECT_EQ(procedure["bodySite"][1]["coding"][0]["code"], "122496007");
  EXPECT_EQ(procedure["encounter"]["identifier"]["value"], "enc 9");
  ASSERT_EQ(procedure["note"].size(), 2u);
  EXPECT_EQ(procedure["note"][0]["text"], "relaxed well");
}

TEST(FhirResourcesTest, EveryRegionHasACodedBodySite) {
  for (int region = v1::SPINE_REGION_CERVICAL; region <= v1::SPINE_REGION_LUMBOSACRAL; ++region) {
    v1::Outcome outcome = Session();
    outcome.set_spine_region(static_cast<v1::SpineRegion>(region));
    json procedure = ProcedureFromOutcome(outcome, FhirView::kClinical);
    ASSERT_TRUE(procedure.contains("bodySite")) << region;
    for (const json& site : procedure["bodySite"]) EXPECT_EQ(site["coding"][0]["system"], kSnomedSystem);
  }
}

TEST(FhirResourcesTest, HostIdsThatAreNotFhirIdsStayIdentifiers) {
  v1::Outcome outcome = Session();
  outcome.set_patient_id("patient #42/a");
  json procedure = ProcedureFromOutcome(outcome, FhirView::kClinical);
  EXPECT_FALSE(procedure["subject"].contains("reference"));
  EXPECT_EQ(procedure["subject"]["identifier"]["value"], "patient #42/a");
}

TEST(FhirResourcesTest, PainObservationsArePartOfTheProcedure) {
  auto observations = PainObservations(Session(), FhirView::kClinical);
  ASSERT_EQ(observations.size(), 2u);
  EXPECT_EQ(observations[0]["code"]["coding"][0]["code"], kPainLoincCode);
  EXPECT_EQ(observations[0]["valueInteger"], 6);
  EXPECT_EQ(observations[0]["effectiveDateTime"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(observations[1]["valueInteger"], 3);
  EXPECT_EQ(observations[1]["effectiveDateTime"], "2026-03-01T10:20:00Z");
  EXPECT_EQ(observations[1]["partOf"][0]["reference"], "Procedure/0123456789abcdef0123456789abcdef");
  EXPECT_EQ(observations[0]["status"], "final");
  v1::Outcome amended = Session();
  amended.set_revision(3);
  EXPECT_EQ(PainObservations(amended, FhirView::kClinical)[0]["status"], "amended");
}

TEST(FhirResourcesTest, AdverseEventsNameTypeSeverityAndSuspect) {
  v1::Outcome outcome = Session();
  auto* mild = outcome.add_adverse_events();
  mild->set_type(v1::ADVERSE_EVENT_TYPE_BRUISING);
  mild->set_severity(v1::SEVERITY_MILD);
  mild->set_description("small bruise left flank");
  auto* severe = outcome.add_adverse_events();
  severe->set_type(v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS);
  severe->set_severity(v1::SEVERITY_SEVERE);
  auto events = AdverseEventsFromOutcome(outcome, FhirView::kClinical);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["actuality"], "actual");
  EXPECT_EQ(events[0]["event"]["coding"][0]["code"], "bruising");
  EXPECT_EQ(events[0]["event"]["text"], "small bruise left flank");
  EXPECT_EQ(events[0]["severity"]["coding"][0]["code"], "mild");
  EXPECT_EQ(events[0]["seriousness"]["coding"][0]["code"], "Non-serious");
  EXPECT_FALSE(events[1].contains("seriousness"));  // not guessed for a severe event
  EXPECT_EQ(events[1]["suspectEntity"][0]["instance"]["reference"],
            "Procedure/0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(events[0]["identifier"].is_object());  // 0..1 in R4
}

TEST(FhirResourcesTest, AnalyticsViewHasThePseudonymAndNoFreeText) {
  v1::Outcome outcome = Session();
  outcome.clear_patient_id();
  outcome.clear_encounter_id();
  outcome.set_patient_pseudonym("p_0011223344556677");
  outcome.set_revision(2);
  outcome.set_amend_reason("typo");
  auto* event = outcome.add_adverse_events();
  event->set_type(v1::ADVERSE_EVENT_TYPE_DIZZINESS);
  event->set_severity(v1::SEVERITY_MODERATE);
  event->set_description("felt faint at the desk");
  std::vector<json> all;
  for (const char* type : kFhirResourceTypes) ResourcesOfType(type, outcome, FhirView::kAnalytics, &all);
  ASSERT_EQ(all.size(), 4u);
  for (const json& resource : all) {
    const std::string text = resource.dump();
    EXPECT_EQ(resource["subject"]["identifier"]["value"], "p_0011223344556677");
    EXPECT_EQ(text.find("relaxed well"), std::string::npos) << text;
    EXPECT_EQ(text.find("typo"), std::string::npos) << text;
    EXPECT_EQ(text.find("faint"), std::string::npos) << text;
    EXPECT_FALSE(resource.contains("note"));
  }
  // Even if an analytics view were handed an outcome with the patient id, it
  // never emits it.
  json leaked = ProcedureFromOutcome(Session(), FhirView::kAnalytics);
  EXPECT_EQ(leaked.dump().find("p-1"), std::string::npos);
}

TEST(FhirSearchTest, DatePrefixesBecomeTheFilterRange) {
  QueryParams params{{"patient", "Patient/p-1"}, {"date", "ge2026-01-01"}, {"date", "lt2026-02"}};
  auto search = ParseFhirSearch(params, true, true);
  ASSERT_TRUE(search.ok()) << search.status();
  EXPECT_EQ(search->filter.patient_id(), "p-1");
  EXPECT_EQ(base::TimestampToTime(search->filter.start_time()), At(2026, 1, 1));
  EXPECT_EQ(base::TimestampToTime(search->filter.end_time()), At(2026, 2, 1));

  auto day = ParseFhirSearch({{"patient", "p"}, {"date", "2026-03-01"}}, true, true);
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(base::TimestampToTime(day->filter.start_time()), At(2026, 3, 1));
  EXPECT_EQ(base::TimestampToTime(day->filter.end_time()), At(2026, 3, 2));

  auto gt = ParseFhirSearch({{"patient", "p"}, {"date", "gt2026-03-01T10:00:00+01:00"}}, true, true);
  ASSERT_TRUE(gt.ok()) << gt.status();
  EXPECT_EQ(base::TimestampToTime(gt->filter.start_time()), At(2026, 3, 1, 9, 0, 1));

  auto empty = ParseFhirSearch({{"patient", "p"}, {"date", "lt2020"}, {"date", "gt2021"}}, true, true);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty_range);
}

std::vector<std::string> FieldsOf(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const auto& [field, why] : core::FieldViolationsOf(status)) fields.push_back(field);
  return fields;
}

TEST(FhirSearchTest, BadParametersNameTheParameter) {
  using Fields = std::vector<std::string>;
  EXPECT_EQ(FieldsOf(ParseFhirSearch({{"date", "ge2026-01-01"}}, true, true).status()), Fields{"patient"});
  EXPECT_EQ(FieldsOf(ParseFhirSearch({{"patient", "p"}, {"date", "2026-13-01"}}, true, true).status()),
            Fields{"date"});
  EXPECT_EQ(FieldsOf(ParseFhirSearch({{"patient", "p"}, {"date", "2026-01-01T10:00"}}, true, true).status()),
            Fields{"date"});  // a time needs a zone
  EXPECT_EQ(FieldsOf(ParseFhirSearch({{"patient", "p"}, {"date", "ne2026"}}, true, true).status()),
            Fields{"date"});
  EXPECT_EQ(FieldsOf(ParseFhirSearch({{"patient", "p"}, {"_count", "1000"}}, true, true).status()),
            Fields{"_count"});
  EXPECT_EQ(FieldsOf(ParseFhirSearch({{"patient", "p"}, {"code", "x"}}, true, true).status()), Fields{"code"});
  EXPECT_EQ(FieldsOf(ParseFhirSearch({{"patient", "p"}}, false, false).status()), Fields{"patient"});
  EXPECT_EQ(FieldsOf(ParseFhirSearch({{"patient", "p"}, {"_page_token", "x"}}, true, true).status()),
            Fields{"_page_token"});
  EXPECT_TRUE(ParseFhirSearch({{"date", "ge2026"}}, false, false).ok());
}

TEST(FhirSearchTest, ExportParameters) {
  auto all = ParseExportParams({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->types, (std::vector<std::string>{"Procedure", "Observation", "AdverseEvent"}));
  auto some = ParseExportParams({{"_type", "AdverseEvent,Procedure"}, {"_since", "2026-01-01T00:00:00Z"},
                                 {"_outputFormat", "application/fhir+ndjson"}});
  ASSERT_TRUE(some.ok()) << some.status();
  EXPECT_EQ(some->types, (std::vector<std::string>{"Procedure", "AdverseEvent"}));
  EXPECT_EQ(*some->since, At(2026, 1, 1));
  EXPECT_EQ(FieldsOf(ParseExportParams({{"_type", "Patient"}}).status()), std::vector<std::string>{"_type"});
  EXPECT_EQ(FieldsOf(ParseExportParams({{"_since", "2026-01-01"}}).status()), std::vector<std::string>{"_since"});
  EXPECT_EQ(FieldsOf(ParseExportParams({{"_outputFormat", "csv"}}).status()),
            std::vector<std::string>{"_outputFormat"});
}

// Paging over batches: pages of `count` resources end inside a batch and the
// next page continues exactly after, with nothing lost or repeated.
TEST(FhirSearchTest, PagesEndInsideBatchesWithoutGapsOrRepeats) {
  std::vector<v1::Outcome> outcomes;
  for (int i = 0; i < 7; ++i) {
    char id[33];
    std::snprintf(id, sizeof id, "%032d", i);
    v1::Outcome outcome = Session(id);
    if (i % 3 == 0) {
      auto* event = outcome.add_adverse_events();
      event->set_type(v1::ADVERSE_EVENT_TYPE_BRUISING);
      event->set_severity(v1::SEVERITY_MILD);
    }
    outcomes.push_back(outcome);
  }
  // Batches of 3 outcomes; the token is the index of the first.
  int reads = 0;
  ReadOutcomeBatch read = [&](const std::string& token) -> absl::StatusOr<OutcomeBatch> {
    ++reads;
    const size_t first = token.empty() ? 0 : std::stoul(token);
    OutcomeBatch batch;
    for (size_t i = first; i < first + 3 && i < outcomes.size(); ++i) batch.outcomes.push_back(outcomes[i]);
    batch.done = first + 3 >= outcomes.size();
    batch.next_token = std::to_string(first + 3);
    return batch;
  };
  for (const std::string type : {"Observation", "AdverseEvent", "Procedure"}) {
    std::vector<std::string> ids;
    SearchCursor cursor;
    for (int pages = 0; pages < 20; ++pages) {
      auto page = CollectPage(read, type, FhirView::kClinical, cursor, 4);
      ASSERT_TRUE(page.ok());
      EXPECT_LE(page->resources.size(), 4u);
      for (const json& resource : page->resources) ids.push_back(resource["id"]);
      if (!page->next) break;
      auto decoded = DecodeCursor(EncodeCursor(*page->next));
      ASSERT_TRUE(decoded.ok());
      cursor = *decoded;
    }
    std::vector<json> expected;
    for (const auto& outcome : outcomes) ResourcesOfType(type, outcome, FhirView::kClinical, &expected);
    ASSERT_EQ(ids.size(), expected.size()) << type;
    for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], expected[i]["id"]) << type;
  }
  EXPECT_GT(reads, 0);
}

TEST(FhirStatusTest, OperationOutcomeNamesTheParameterAndKeepsTheStatus) {
  HttpError error = ToFhirError(core::InvalidField("date", "is not a FHIR date"));
  EXPECT_EQ(error.status, 400);
  json body = json::parse(error.body);
  EXPECT_EQ(body["resourceType"], "OperationOutcome");
  EXPECT_EQ(body["issue"][0]["code"], "invalid");
  EXPECT_EQ(body["issue"][0]["expression"][0], "date");
  EXPECT_EQ(body["issue"][0]["details"]["coding"][0]["code"], "INVALID_REQUEST");
  EXPECT_EQ(ToFhirError(absl::PermissionDeniedError("no")).status, 403);
  EXPECT_EQ(json::parse(ToFhirError(absl::UnauthenticatedError("no")).body)["issue"][0]["code"], "login");
  EXPECT_EQ(ToFhirError(absl::ResourceExhaustedError("busy")).status, 429);
}

TEST(FhirResourcesTest, EveryResourceIdLeadsBackToItsOutcome) {
  v1::Outcome outcome = Session();
  auto* event = outcome.add_adverse_events();
  event->set_type(v1::ADVERSE_EVENT_TYPE_OTHER);
  event->set_severity(v1::SEVERITY_MILD);
  for (const char* type : kFhirResourceTypes) {
    std::vector<json> resources;
    ResourcesOfType(type, outcome, FhirView::kClinical, &resources);
    ASSERT_FALSE(resources.empty()) << type;
    for (const json& resource : resources) {
      EXPECT_EQ(OutcomeIdOfResource(type, resource["id"]), ProcedureId(outcome)) << resource["id"];
    }
  }
  EXPECT_EQ(OutcomeIdOfResource("Observation", ProcedureId(outcome)), "");
  EXPECT_EQ(OutcomeIdOfResource("Procedure", "abc"), "");
  EXPECT_EQ(OutcomeIdOfResource("Patient", ProcedureId(outcome)), "");
}

TEST(FhirResourcesTest, CapabilityStatementListsResourcesAndExport) {
  json statement = CapabilityStatement("https://x.example", At(2026, 1, 1));
  EXPECT_EQ(statement["fhirVersion"], "4.0.1");
  EXPECT_EQ(statement["rest"][0]["operation"][0]["name"], "export");
  EXPECT_EQ(statement["rest"][0]["resource"].size(), 4u);
}

}  // namespace
}  // namespace scoliomassage::http
