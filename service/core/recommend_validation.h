// Field-level checks of a RecommendProtocolRequest, before the engine runs.
#pragma once

#include "absl/status/status.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

// OK, or INVALID_ARGUMENT carrying one BadRequest field violation per bad
// field (all of them at once, see core/errors.h). Field paths use the proto
// field names: "patient_id", "encounter_id", "session_number", "profile",
// "profile.primary_region", "profile.curve_pattern", "profile.convex_side",
// "profile.age_years", "profile.cobb_angle_degrees", "profile.risser_grade",
// "screening.pain_nrs", "screening.contraindications", "screening.notes",
// "variant_override.variant", "variant_override.reason".
absl::Status ValidateRecommendRequest(const v1::RecommendProtocolRequest& request);

}  // namespace scoliomassage::core
