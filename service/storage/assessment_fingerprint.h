// The AIP-155 fingerprint of a RecordAssessment body: a retry with the same
// request_id must carry the same assessment. Output-only fields are left
// out, so echoing a returned assessment back does not count as a change.
#pragma once

#include <string>

#include "scoliomassage/v1/assessment.pb.h"

namespace scoliomassage::storage {

// Hex SHA-256 over the canonical serialization of the answers, patient,
// instrument, time and therapist.
std::string AssessmentFingerprint(const v1::Assessment& assessment);

}  // namespace scoliomassage::storage
