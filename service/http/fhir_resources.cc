#include "http/fhir_resources.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "base/time.h"
#include "http/json_util.h"

namespace scoliomassage::http {

using nlohmann::json;

namespace {

constexpr char kEncounterSystem[] = "urn:scoliomassage:encounter";
constexpr char kTherapistSystem[] = "urn:scoliomassage:therapist";
constexpr char kAdverseEventTypeSystem[] = "urn:scoliomassage:adverse-event-type";
constexpr char kObservationCategorySystem[] =
    "http://terminology.hl7.org/CodeSystem/observation-category";
constexpr char kSeveritySystem[] = "http://terminology.hl7.org/CodeSystem/adverse-event-severity";
constexpr char kSeriousnessSystem[] =
    "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness";

// FHIR ids: [A-Za-z0-9\-\.]{1,64}. Host ids may hold other characters, so a
// literal reference is added only when the id is a valid FHIR id.
bool IsFhirId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

json Identifier(absl::string_view system, absl::string_view value) {
  return {{"system", std::string(system)}, {"value", std::string(value)}};
}

json PatientReference(const v1::Outcome& outcome, FhirView view) {
  json reference{{"type", "Patient"}};
  if (!outcome.patient_pseudonym().empty()) {
    // The pseudonym ("p_" + hex) is not a FHIR id: a logical reference.
    reference["identifier"] = Identifier(kPseudonymSystem, outcome.patient_pseudonym());
  } else if (view == FhirView::kClinical) {
    if (IsFhirId(outcome.patient_id())) reference["reference"] = "Patient/" + outcome.patient_id();
    reference["identifier"] = Identifier(kPatientIdSystem, outcome.patient_id());
  }
  // An analytics view without a pseudonym never falls back to the patient id.
  return reference;
}

json TherapistReference(const v1::Outcome& outcome) {
  return {{"type", "Practitioner"}, {"identifier", Identifier(kTherapistSystem, outcome.therapist_id())}};
}

json Meta(const v1::Outcome& outcome) {
  json meta{{"versionId", std::to_string(outcome.revision() > 0 ? outcome.revision() : 1)}};
  if (outcome.has_create_time()) {
    meta["lastUpdated"] = FhirDateTime(base::TimestampToTime(outcome.create_time()));
  }
  return meta;
}

absl::Time SessionStart(const v1::Outcome& outcome) {
  return base::TimestampToTime(outcome.performed_at());
}
absl::Time SessionEnd(const v1::Outcome& outcome) {
  return SessionStart(outcome) + absl::Minutes(outcome.minutes());
}

json Coding(absl::string_view system, absl::string_view code, absl::string_view display = "") {
  json coding{{"system", std::string(system)}, {"code", std::string(code)}};
  if (!display.empty()) coding["display"] = std::string(display);
  return coding;
}

json BodySite(absl::string_view code, absl::string_view text) {
  return {{"coding", json::array({Coding(kSnomedSystem, code)})}, {"text", std::string(text)}};
}

// The vertebral column structures a region's work covers; a junction names
// both. SNOMED CT has the three column structures; lumbosacral work is coded
// as lumbar and says "lumbosacral" in the text.
json BodySites(v1::SpineRegion region) {
  constexpr char kCervical[] = "122494005";
  constexpr char kThoracic[] = "122495006";
  constexpr char kLumbar[] = "122496007";
  switch (region) {
    case v1::SPINE_REGION_CERVICAL: return json::array({BodySite(kCervical, "Cervical spine")});
    case v1::SPINE_REGION_CERVICOTHORACIC:
      return json::array({BodySite(kCervical, "Cervicothoracic spine (cervical part)"),
                          BodySite(kThoracic, "Cervicothoracic spine (thoracic part)")});
    case v1::SPINE_REGION_THORACIC: return json::array({BodySite(kThoracic, "Thoracic spine")});
    case v1::SPINE_REGION_THORACOLUMBAR:
      return json::array({BodySite(kThoracic, "Thoracolumbar spine (thoracic part)"),
                          BodySite(kLumbar, "Thoracolumbar spine (lumbar part)")});
    case v1::SPINE_REGION_LUMBAR: return json::array({BodySite(kLumbar, "Lumbar spine")});
    case v1::SPINE_REGION_LUMBOSACRAL: return json::array({BodySite(kLumbar, "Lumbosacral spine")});
    default: return json::array();
  }
}

json ProcedureReference(const v1::Outcome& outcome) {
  return {{"reference", "Procedure/" + ProcedureId(outcome)}};
}

void AddEncounter(const v1::Outcome& outcome, FhirView view, json* resource) {
  if (view != FhirView::kClinical || outcome.encounter_id().empty()) return;
  (*resource)["encounter"] = {{"type", "Encounter"},
                              {"identifier", Identifier(kEncounterSystem, outcome.encounter_id())}};
}

json PainObservation(const v1::Outcome& outcome, FhirView view, absl::string_view which,
                     absl::string_view text, absl::Time when, int value) {
  json observation{
      {"resourceType", "Observation"},
      {"id", absl::StrCat(ProcedureId(outcome), "-pain-", which)},
      {"meta", Meta(outcome)},
      // An amended session's measurements are "amended" (FHIR's word for a
      // corrected final result).
      {"status", outcome.revision() > 1 ? "amended" : "final"},
      {"category", json::array({{{"coding", json::array({Coding(kObservationCategorySystem, "survey",
                                                               "Survey")})}}})},
      {"code",
       {{"coding", json::array({Coding(kLoincSystem, kPainLoincCode,
                                       "Pain severity - 0-10 verbal numeric rating [Score] - Reported")})},
        {"text", std::string(text)}}},
      {"subject", PatientReference(outcome, view)},
      {"effectiveDateTime", FhirDateTime(when)},
      {"valueInteger", value},
      {"partOf", json::array({ProcedureReference(outcome)})},
  };
  AddEncounter(outcome, view, &observation);
  PruneEmpty(observation);
  return observation;
}

struct EventType {
  const char* code;
  const char* display;
};

EventType EventTypeOf(v1::AdverseEventType type) {
  switch (type) {
    case v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS: return {"prolonged-soreness", "Soreness lasting past 48 hours"};
    case v1::ADVERSE_EVENT_TYPE_INCREASED_PAIN: return {"increased-pain", "Increased pain"};
    case v1::ADVERSE_EVENT_TYPE_BRUISING: return {"bruising", "Bruising"};
    case v1::ADVERSE_EVENT_TYPE_DIZZINESS: return {"dizziness", "Dizziness"};
    case v1::ADVERSE_EVENT_TYPE_SKIN_REACTION: return {"skin-reaction", "Skin reaction"};
    case v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS: return {"neurological-symptoms", "Neurological symptoms"};
    case v1::ADVERSE_EVENT_TYPE_OTHER: return {"other", "Other adverse event"};
    default: return {"unknown", "Adverse event of unrecorded type"};
  }
}

}  // namespace

bool IsFhirResourceType(const std::string& type) {
  for (const char* known : kFhirResourceTypes) {
    if (type == known) return true;
  }
  return false;
}

std::string FhirDateTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::string ProcedureId(const v1::Outcome& outcome) {
  absl::string_view name = outcome.name();
  const auto slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name : name.substr(slash + 1));
}

json ProcedureFromOutcome(const v1::Outcome& outcome, FhirView view) {
  json period{{"start", FhirDateTime(SessionStart(outcome))}};
  if (outcome.minutes() > 0) period["end"] = FhirDateTime(SessionEnd(outcome));
  json procedure{
      {"resourceType", "Procedure"},
      {"id", ProcedureId(outcome)},
      {"meta", Meta(outcome)},
      {"identifier", json::array({Identifier(kOutcomeSystem, outcome.name())})},
      {"status", "completed"},
      {"code", {{"coding", json::array({Coding(kCptSystem, "97124")})}, {"text", "Massage therapy"}}},
      {"subject", PatientReference(outcome, view)},
      {"performedPeriod", period},
      {"performer", json::array({{{"actor", TherapistReference(outcome)}}})},
      {"reasonCode",
       json::array({{{"coding", json::array({Coding(kSnomedSystem, "298382003")})},
                     {"text", "Scoliosis deformity of spine"}}})},
      {"bodySite", BodySites(outcome.spine_region())},
  };
  AddEncounter(outcome, view, &procedure);
  if (view == FhirView::kClinical) {
    json notes = json::array();
    if (!outcome.relaxation_notes().empty()) notes.push_back({{"text", outcome.relaxation_notes()}});
    if (outcome.revision() > 1 && !outcome.amend_reason().empty()) {
      notes.push_back({{"text", absl::StrCat("Amended (revision ", outcome.revision(), "): ",
                                             outcome.amend_reason())}});
    }
    procedure["note"] = std::move(notes);
  }
  PruneEmpty(procedure);
  return procedure;
}

std::vector<json> PainObservations(const v1::Outcome& outcome, FhirView view) {
  std::vector<json> observations;
  if (outcome.has_pain_before()) {
    observations.push_back(PainObservation(outcome, view, "before", "Pain just before the session",
                                           SessionStart(outcome), outcome.pain_before()));
  }
  if (outcome.has_pain_after()) {
    observations.push_back(PainObservation(outcome, view, "after", "Pain just after the session",
                                           SessionEnd(outcome), outcome.pain_after()));
  }
  return observations;
}

std::vector<json> AdverseEventsFromOutcome(const v1::Outcome& outcome, FhirView view) {
  std::vector<json> events;
  for (int i = 0; i < outcome.adverse_events_size(); ++i) {
    const v1::AdverseEvent& event = outcome.adverse_events(i);
    const EventType type = EventTypeOf(event.type());
    const bool text = view == FhirView::kClinical && !event.description().empty();
    json resource{
        {"resourceType", "AdverseEvent"},
        {"id", absl::StrCat(ProcedureId(outcome), "-ae-", i + 1)},
        {"meta", Meta(outcome)},
        {"identifier", Identifier(kOutcomeSystem, absl::StrCat(outcome.name(), "/adverseEvents/", i + 1))},
        {"actuality", "actual"},
        {"event",
         {{"coding", json::array({Coding(kAdverseEventTypeSystem, type.code, type.display)})},
          {"text", text ? event.description() : std::string(type.display)}}},
        {"subject", PatientReference(outcome, view)},
        // The record knows the session, not the onset: the event followed it.
        {"date", FhirDateTime(SessionEnd(outcome))},
        {"recorder", TherapistReference(outcome)},
        {"suspectEntity", json::array({{{"instance", ProcedureReference(outcome)}}})},
    };
    if (outcome.has_create_time()) {
      resource["recordedDate"] = FhirDateTime(base::TimestampToTime(outcome.create_time()));
    }
    const char* severity = event.severity() == v1::SEVERITY_MILD       ? "mild"
                           : event.severity() == v1::SEVERITY_MODERATE ? "moderate"
                           : event.severity() == v1::SEVERITY_SEVERE   ? "severe"
                                                                       : "";
    if (*severity != '\0') {
      std::string display = severity;
      display[0] = static_cast<char>(display[0] - 'a' + 'A');
      resource["severity"] = {{"coding", json::array({Coding(kSeveritySystem, severity, display)})}};
    }
    // Seriousness is the regulatory test (death, hospitalisation, disability;
    // ICH E2A), which the record does not hold. A mild or moderate reaction
    // to massage meets none of it; a severe one may, so it is not guessed.
    if (event.severity() == v1::SEVERITY_MILD || event.severity() == v1::SEVERITY_MODERATE) {
      resource["seriousness"] = {
          {"coding", json::array({Coding(kSeriousnessSystem, "Non-serious", "Non-serious")})}};
    }
    AddEncounter(outcome, view, &resource);
    PruneEmpty(resource);
    events.push_back(std::move(resource));
  }
  return events;
}

std::string OutcomeIdOfResource(const std::string& type, const std::string& resource_id) {
  absl::string_view id = resource_id;
  if (type == "Observation") {
    if (!absl::ConsumeSuffix(&id, "-pain-before") && !absl::ConsumeSuffix(&id, "-pain-after")) return "";
  } else if (type == "AdverseEvent") {
    const auto at = id.rfind("-ae-");
    if (at == absl::string_view::npos) return "";
    id = id.substr(0, at);
  } else if (type != "Procedure") {
    return "";
  }
  // Outcome ids are 32 lowercase hex digits (base/random_id.h).
  if (id.size() != 32) return "";
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return std::string(id);
}

void ResourcesOfType(const std::string& type, const v1::Outcome& outcome, FhirView view,
                     std::vector<json>* out) {
  if (type == "Procedure") {
    out->push_back(ProcedureFromOutcome(outcome, view));
  } else if (type == "Observation") {
    for (auto& observation : PainObservations(outcome, view)) out->push_back(std::move(observation));
  } else if (type == "AdverseEvent") {
    for (auto& event : AdverseEventsFromOutcome(outcome, view)) out->push_back(std::move(event));
  }
}

json CapabilityStatement(const std::string& public_url, absl::Time now) {
  const json search_params = json::array({
      {{"name", "patient"}, {"type", "reference"},
       {"documentation", "Required for clinical callers: the host's patient id (or Patient/{id}). "
                         "Analytics callers search the clinic by date and see pseudonyms."}},
      {{"name", "date"}, {"type", "date"},
       {"documentation", "The session's start (a curve's film date, a questionnaire's time); prefixes eq, gt, ge, lt, le, sa, eb; repeat to bound "
                         "both ends (date=ge2026-01-01&date=lt2026-02-01)."}},
  });
  json resources = json::array();
  for (const char* type : kFhirResourceTypes) {
    json resource{{"type", type},
                  {"interaction", json::array({{{"code", "read"}}, {{"code", "search-type"}}})},
                  {"searchParam", search_params}};
    if (std::string(type) == "Observation") {
      resource["searchParam"].push_back(
          {{"name", "code"}, {"type", "token"},
           {"documentation", "system|code, |code or code; a comma list matches any (e.g. "
                             "urn:scoliomassage:codes|cobb-angle). With code or category the Bundle has no total."}});
      resource["searchParam"].push_back(
          {{"name", "category"}, {"type", "token"},
           {"documentation", "observation-category code: survey (pain, questionnaire scores) or imaging (curves)."}});
      resource["documentation"] =
          "Session pain before and after (LOINC 72514-3, partOf the Procedure); for clinical callers also "
          "curve measurements (urn:scoliomassage:codes#cobb-angle, valueQuantity in UCUM deg, "
          "effectiveDateTime the film's date, components convex-side, apex, risser-grade) and "
          "questionnaire scores (category survey; the NRS as LOINC 72514-3, other instruments as "
          "urn:scoliomassage:codes#<instrument>-<domain>). Reads by id: sessions' pain and curves.";
    }
    resources.push_back(std::move(resource));
  }
  resources.push_back(
      {{"type", "Patient"},
       {"operation", json::array({{{"name", "export"},
                                   {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}}})}});
  json statement{
      {"resourceType", "CapabilityStatement"},
      {"status", "active"},
      {"date", FhirDateTime(now)},
      {"publisher", "scoliomassage"},
      {"kind", "instance"},
      {"instantiates", json::array({"http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"})},
      {"software", {{"name", "scoliomassaged"}}},
      {"implementation", {{"description", "scoliomassage FHIR R4 read API and Bulk Data export"},
                          {"url", public_url + "/fhir"}}},
      {"fhirVersion", kFhirVersion},
      {"format", json::array({kFhirJsonContentType, "json"})},
      {"rest",
       json::array({{{"mode", "server"},
                     {"security",
                      {{"cors", true},
                       {"description", "Authorization: Bearer <token>, the same tokens and roles as the "
                                       "gRPC API; every read is scoped to the caller's clinic and audited."}}},
                     {"resource", resources},
                     {"operation",
                      json::array({{{"name", "export"},
                                    {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}}})}}})},
  };
  PruneEmpty(statement);
  return statement;
}

}  // namespace scoliomassage::http
