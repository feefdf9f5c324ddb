#include "http/fhir_record_resources.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "base/time.h"
#include "http/json_util.h"

namespace scoliomassage::http {

using nlohmann::json;

namespace {

constexpr char kCurveSystem[] = "urn:scoliomassage:curve-measurement";
constexpr char kAssessmentSystem[] = "urn:scoliomassage:assessment";
constexpr char kImagingRefSystem[] = "urn:scoliomassage:imaging-ref";
constexpr char kTherapistSystem[] = "urn:scoliomassage:therapist";
constexpr char kReaderSystem[] = "urn:scoliomassage:film-reader";
constexpr char kUcumSystem[] = "http://unitsofmeasure.org";
constexpr char kCategorySystem[] = "http://terminology.hl7.org/CodeSystem/observation-category";

bool IsFhirId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  return true;
}

std::string LastSegment(absl::string_view name) {
  const auto slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name : name.substr(slash + 1));
}

json Coding(absl::string_view system, absl::string_view code, absl::string_view display = "") {
  json coding{{"system", std::string(system)}, {"code", std::string(code)}};
  if (!display.empty()) coding["display"] = std::string(display);
  return coding;
}

json Category(const char* code, const char* display) {
  return json::array({{{"coding", json::array({Coding(kCategorySystem, code, display)})}}});
}

json Patient(const std::string& patient_id, const std::string& pseudonym, FhirView view) {
  json reference{{"type", "Patient"}};
  if (!pseudonym.empty()) {
    reference["identifier"] = {{"system", kPseudonymSystem}, {"value", pseudonym}};
  } else if (view == FhirView::kClinical) {
    if (IsFhirId(patient_id)) reference["reference"] = "Patient/" + patient_id;
    reference["identifier"] = {{"system", kPatientIdSystem}, {"value", patient_id}};
  }
  return reference;
}

// Observation.bodySite is one CodeableConcept: SNOMED CT has the cervical,
// thoracic and lumbar column structures; a junction is said in text only.
json CurveBodySite(v1::SpineRegion region) {
  auto site = [](const char* code, const char* text) {
    return json{{"coding", json::array({Coding(kSnomedSystem, code)})}, {"text", text}};
  };
  switch (region) {
    case v1::SPINE_REGION_CERVICAL: return site("122494005", "Cervical spine");
    case v1::SPINE_REGION_THORACIC: return site("122495006", "Thoracic spine");
    case v1::SPINE_REGION_LUMBAR: return site("122496007", "Lumbar spine");
    case v1::SPINE_REGION_CERVICOTHORACIC: return {{"text", "Cervicothoracic spine"}};
    case v1::SPINE_REGION_THORACOLUMBAR: return {{"text", "Thoracolumbar spine"}};
    case v1::SPINE_REGION_LUMBOSACRAL: return {{"text", "Lumbosacral spine"}};
    default: return json::object();
  }
}

json Component(const char* code, const char* display) {
  return {{"code", {{"coding", json::array({Coding(kProjectCodeSystem, code, display)})}, {"text", display}}}};
}

const char* InstrumentName(const std::string& id) {
  if (id == "nrs") return "Pain numeric rating scale";
  if (id == "odi") return "Oswestry Disability Index";
  if (id == "ndi") return "Neck Disability Index";
  if (id == "srs22r") return "SRS-22r";
  if (id == "psfs") return "Patient-Specific Functional Scale";
  return nullptr;
}

// "self_image" -> "self-image": FHIR ids and our codes use hyphens.
std::string Hyphenated(const std::string& text) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(text), {{"_", "-"}, {" ", "-"}});
}

}  // namespace

json ObservationFromCurve(const v1::CurveMeasurement& m) {
  const std::string id = LastSegment(m.name());
  json meta{{"versionId", std::to_string(m.revision() > 0 ? m.revision() : 1)}};
  if (m.has_create_time()) meta["lastUpdated"] = FhirDateTime(base::TimestampToTime(m.create_time()));
  json components = json::array();
  if (m.convex_side() == v1::SIDE_LEFT || m.convex_side() == v1::SIDE_RIGHT) {
    json side = Component("convex-side", "Convex side of the curve");
    side["valueString"] = m.convex_side() == v1::SIDE_LEFT ? "left" : "right";
    components.push_back(std::move(side));
  }
  if (!m.apex().empty()) {
    json apex = Component("apex", "Apical vertebra or disc");
    apex["valueString"] = m.apex();
    components.push_back(std::move(apex));
  }
  if (m.has_risser_grade()) {
    json risser = Component("risser-grade", "Risser grade (US scale 0-5)");
    risser["valueInteger"] = m.risser_grade();
    components.push_back(std::move(risser));
  }
  json observation{
      {"resourceType", "Observation"},
      {"id", "curve-" + id},
      {"meta", meta},
      {"identifier", json::array({{{"system", kCurveSystem}, {"value", m.name()}}})},
      // An amended measurement is "amended" (FHIR's word for a corrected final result).
      {"status", m.revision() > 1 ? "amended" : "final"},
      {"category", Category("imaging", "Imaging")},
      {"code", {{"coding", json::array({Coding(kProjectCodeSystem, kCobbCode, "Cobb angle")})},
                {"text", "Cobb angle of the scoliosis curve"}}},
      {"subject", Patient(m.patient_id(), "", FhirView::kClinical)},
      // The film's date, not when it was read or stored.
      {"effectiveDateTime", FhirDateTime(base::TimestampToTime(m.taken_at()))},
      {"performer", json::array({{{"type", "Practitioner"},
                                  {"identifier", {{"system", kReaderSystem}, {"value", m.measured_by()}}}}})},
      {"valueQuantity", {{"value", m.cobb_angle_degrees()}, {"unit", "deg"}, {"system", kUcumSystem}, {"code", "deg"}}},
      {"bodySite", CurveBodySite(m.spine_region())},
      {"method", {{"text", "Cobb method, measured on a radiograph"}}},
      {"component", components},
  };
  if (m.has_create_time()) observation["issued"] = FhirDateTime(base::TimestampToTime(m.create_time()));
  if (!m.imaging_ref().empty()) {
    observation["derivedFrom"] = json::array(
        {{{"type", "ImagingStudy"}, {"identifier", {{"system", kImagingRefSystem}, {"value", m.imaging_ref()}}}}});
  }
  json notes = json::array();
  if (!m.notes().empty()) notes.push_back({{"text", m.notes()}});
  if (m.revision() > 1 && !m.amend_reason().empty()) {
    notes.push_back({{"text", absl::StrCat("Amended (revision ", m.revision(), "): ", m.amend_reason())}});
  }
  observation["note"] = std::move(notes);
  PruneEmpty(observation);
  return observation;
}

std::string CurveNameOfObservation(const std::string& observation_id) {
  absl::string_view id = observation_id;
  if (!absl::ConsumePrefix(&id, "curve-") || id.size() != 32) return "";
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return absl::StrCat("curveMeasurements/", id);
}

ScoreCode ScoreCodeOf(const std::string& instrument_id, const std::string& domain) {
  if (instrument_id == "nrs" && domain == "total") {
    return {kLoincSystem, kPainLoincCode, "Pain severity - 0-10 verbal numeric rating [Score] - Reported"};
  }
  const char* name = InstrumentName(instrument_id);
  const std::string instrument = name ? name : instrument_id;
  return {kProjectCodeSystem, Hyphenated(instrument_id) + "-" + Hyphenated(domain),
          domain == "total" ? instrument + " score" : absl::StrCat(instrument, " ", domain, " score")};
}

std::vector<json> ObservationsFromAssessment(const v1::Assessment& a, FhirView view) {
  std::vector<json> out;
  const std::string id = LastSegment(a.name());
  for (const v1::AssessmentScore& score : a.scores()) {
    if (!score.scoreable()) continue;
    const ScoreCode code = ScoreCodeOf(a.instrument_id(), score.domain());
    std::string observation_id = id + "-" + Hyphenated(score.domain());
    if (!IsFhirId(observation_id)) continue;  // a clinic's own domain name that no FHIR id can carry
    json meta{{"versionId", "1"}};
    if (a.has_create_time()) meta["lastUpdated"] = FhirDateTime(base::TimestampToTime(a.create_time()));
    json observation{
        {"resourceType", "Observation"},
        {"id", observation_id},
        {"meta", meta},
        {"identifier", json::array({{{"system", kAssessmentSystem},
                                     {"value", absl::StrCat(a.name(), "/scores/", score.domain())}}})},
        {"status", "final"},
        {"category", Category("survey", "Survey")},
        {"code", {{"coding", json::array({Coding(code.system, code.code, code.display)})}, {"text", code.display}}},
        {"subject", Patient(a.patient_id(), a.patient_pseudonym(), view)},
        {"effectiveDateTime", FhirDateTime(base::TimestampToTime(a.performed_at()))},
        {"method", {{"text", absl::StrCat("Scored with the ", a.instrument_id(), " definition version ",
                                          a.instrument_version(), " from ", score.answered_items(),
                                          " answered items")}}},
    };
    // Whole-number scores (the NRS) are integers, as session pain is.
    if (code.system == kLoincSystem && score.value() == static_cast<int>(score.value())) {
      observation["valueInteger"] = static_cast<int>(score.value());
    } else {
      observation["valueQuantity"] = {{"value", score.value()}, {"unit", "score"}, {"system", kUcumSystem},
                                      {"code", "{score}"}};
    }
    if (view == FhirView::kClinical && !a.therapist_id().empty()) {
      observation["performer"] = json::array(
          {{{"type", "Practitioner"}, {"identifier", {{"system", kTherapistSystem}, {"value", a.therapist_id()}}}}});
    }
    if (a.instrument_version().empty()) observation["method"] = {{"text", "Scored by scoliomassage"}};
    PruneEmpty(observation);
    out.push_back(std::move(observation));
  }
  return out;
}

}  // namespace scoliomassage::http
