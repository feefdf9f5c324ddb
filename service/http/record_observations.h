// A patient's curve measurements and questionnaire scores as FHIR
// Observations (fhir_record_resources.h), read through the same app/ calls
// as gRPC's ListCurveMeasurements and ListAssessments, so the role table,
// the clinic scope and a therapist's own-assessments rule all hold. The
// Observation search and the Bulk Data export both use it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/caller.h"
#include "http/fhir_resources.h"
#include "http/http_app.h"

namespace scoliomassage::http {

// Items of each kind read for one patient at most: a patient has a few films
// and questionnaires a year, and this bounds one request's work.
inline constexpr int kMaxRecordItemsPerPatient = 1000;

// `keep(effective, last_updated)`: which records to map (a search's date
// range, an export's _since and transactionTime). Clinical view only: the
// role table gives analytics callers neither list, so for them it is empty.
using KeepRecord = std::function<bool(absl::Time effective, absl::Time last_updated)>;
absl::StatusOr<std::vector<nlohmann::json>> RecordObservations(const HttpApp& app, const auth::Caller& caller,
                                                                const std::string& patient_id, FhirView view,
                                                                const KeepRecord& keep);

}  // namespace scoliomassage::http
