// Input rules for assessment and episode requests (the answers themselves
// are checked against their instrument in core/assessment_scoring.h). Every
// bad field is named, all at once.
#pragma once

#include <cstdint>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scoliomassage/v1/assessment.pb.h"
#include "scoliomassage/v1/episode.pb.h"

namespace scoliomassage::core {

// request_id (a UUID), assessment.patient_id (1-128 bytes),
// assessment.instrument_id, assessment.performed_at (valid, not in the
// future), assessment.therapist_id (at most 128 bytes).
absl::Status ValidateRecordAssessmentRequest(const v1::RecordAssessmentRequest& request,
                                             int64_t now_us);
// patient_id required; page_size is checked by the app.
absl::Status ValidateListAssessmentsRequest(const v1::ListAssessmentsRequest& request);

absl::Status ValidateOpenEpisodeRequest(const v1::OpenEpisodeRequest& request, int64_t now_us);
absl::Status ValidateCloseEpisodeRequest(const v1::CloseEpisodeRequest& request, int64_t now_us);

// The id of "assessments/{id}" or "episodes/{id}" (32 lowercase hex digits),
// or INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> ParseRecordName(const std::string& name, const std::string& collection,
                                            const std::string& field);

}  // namespace scoliomassage::core
