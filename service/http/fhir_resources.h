// FHIR R4 (4.0.1) resources from the clinical record: pure functions, one per
// resource kind, over the same protos the gRPC face returns. No I/O, so each
// is unit-tested directly; the searches (fhir_routes) and the Bulk Data export
// (bulk_export) share them, so a resource looks the same both ways.
//
// A session (Outcome) is a Procedure; its pain before and after are two
// Observations `partOf` it; each adverse event is an AdverseEvent whose
// suspectEntity is it. Curve measurements and questionnaire scores are
// Observations too (fhir_record_resources.h), added to the Observation
// search and export per patient (record_observations.h).
//
// Codes: CPT 97124 (massage, each 15 minutes); LOINC 72514-3 (pain severity
// 0-10 verbal numeric rating, reported); SNOMED CT 298382003 (scoliosis
// deformity of spine) and the vertebral column structures 122494005
// (cervical), 122495006 (thoracic), 122496007 (lumbar). Ids the host chose
// (patients, encounters, therapists) are carried as identifiers in the
// urn:scoliomassage namespace, because they need not be valid FHIR ids.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/time/time.h"
#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::http {

// Who the resources are for. Analytics callers get the outcome as app::History
// gives it to them (a pseudonym instead of the patient id, no encounter), and
// the mapping adds: no free text anywhere (notes, amendment reasons, event
// descriptions), whatever the clinic granted on gRPC.
enum class FhirView { kClinical, kAnalytics };

inline constexpr char kFhirVersion[] = "4.0.1";
inline constexpr char kFhirJsonContentType[] = "application/fhir+json";
inline constexpr char kCptSystem[] = "http://www.ama-assn.org/go/cpt";
inline constexpr char kLoincSystem[] = "http://loinc.org";
inline constexpr char kSnomedSystem[] = "http://snomed.info/sct";
inline constexpr char kPatientIdSystem[] = "urn:scoliomassage:patient";
inline constexpr char kPseudonymSystem[] = "urn:scoliomassage:patient-pseudonym";
inline constexpr char kOutcomeSystem[] = "urn:scoliomassage:outcome";
inline constexpr char kPainLoincCode[] = "72514-3";

// The resource kinds this server emits, in the order the export writes them.
inline constexpr const char* kFhirResourceTypes[] = {"Procedure", "Observation", "AdverseEvent"};
bool IsFhirResourceType(const std::string& type);

// A FHIR dateTime/instant in UTC with the fraction the time has ("...Z").
std::string FhirDateTime(absl::Time time);

// "outcomes/{id}" -> "{id}", the Procedure's id.
std::string ProcedureId(const v1::Outcome& outcome);

nlohmann::json ProcedureFromOutcome(const v1::Outcome& outcome, FhirView view);
// Pain before (at the session's start) and after (at its end), when recorded.
std::vector<nlohmann::json> PainObservations(const v1::Outcome& outcome, FhirView view);
std::vector<nlohmann::json> AdverseEventsFromOutcome(const v1::Outcome& outcome, FhirView view);

// The outcome id ("{id}" of "outcomes/{id}") a resource id of `type` was made
// from (Procedure "{id}", Observation "{id}-pain-before", AdverseEvent
// "{id}-ae-2"); empty when `resource_id` is not one of ours.
std::string OutcomeIdOfResource(const std::string& type, const std::string& resource_id);

// Appends the resources of `type` that one outcome maps to.
void ResourcesOfType(const std::string& type, const v1::Outcome& outcome, FhirView view,
                     std::vector<nlohmann::json>* out);

// GET /fhir/metadata: what this server supports, $export included.
nlohmann::json CapabilityStatement(const std::string& public_url, absl::Time now);

}  // namespace scoliomassage::http
