// FHIR R4 Observations for the clinical record beside the sessions: curve
// measurements (a Cobb angle read on a film) and questionnaire scores. Pure
// functions over the protos CurveService and AssessmentService return, like
// fhir_resources.h, so searches and exports map them the same way.
//
// Codes: no LOINC code is known for the Cobb angle, so it is coded in the
// project's code system urn:scoliomassage:codes as "cobb-angle", the code
// the CDS Hooks mapping (data/cds_mapping.json) reads, with components
// "convex-side" (valueString left|right), "apex" (valueString) and
// "risser-grade" (valueInteger, US scale 0-5): an Observation we emit can be
// sent back to us as CDS prefetch. Questionnaire scores: the NRS is LOINC
// 72514-3, like session pain; every other score is
// urn:scoliomassage:codes "<instrument>-<domain>" (odi-total,
// srs22r-self-image, ...), since no LOINC code for those scores is relied on
// here. Only numbers leave the server: never an item text (the SRS-22r's
// are the Scoliosis Research Society's).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/fhir_resources.h"
#include "scoliomassage/v1/assessment.pb.h"
#include "scoliomassage/v1/curve.pb.h"

namespace scoliomassage::http {

inline constexpr char kProjectCodeSystem[] = "urn:scoliomassage:codes";
inline constexpr char kCobbCode[] = "cobb-angle";

// Observation "curve-{id}"; curves are clinical data only (analytics callers
// never see them, as on gRPC), so there is no analytics view.
nlohmann::json ObservationFromCurve(const v1::CurveMeasurement& measurement);
// "curve-{id}" -> "curveMeasurements/{id}"; empty when not a curve's id.
std::string CurveNameOfObservation(const std::string& observation_id);

// One Observation "{assessment id}-{domain}" per scoreable score; a score
// that could not be computed (too few items answered) is left out rather
// than sent as a number. The analytics view references the pseudonym and
// leaves out the therapist.
std::vector<nlohmann::json> ObservationsFromAssessment(const v1::Assessment& assessment, FhirView view);

// The code of an assessment score: (system, code, display).
struct ScoreCode {
  std::string system, code, display;
};
ScoreCode ScoreCodeOf(const std::string& instrument_id, const std::string& domain);

}  // namespace scoliomassage::http
