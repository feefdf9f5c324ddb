// Test data: valid outcomes, random but reproducible (fixed seeds).
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::storage::testing {

// 2025-01-01T00:00:00Z: sample sessions take place in the months after it.
inline constexpr int64_t kBaseTimeUs = 1735689600LL * 1000000;

std::string NewRequestId();  // a random UUID
v1::Outcome SampleOutcome(const std::string& patient_id = "patient-1");
// Varies patient, therapist, protocol, region, session, pains, adverse
// events and performed_at (across several months).
v1::Outcome RandomOutcome(std::mt19937& random);

}  // namespace scoliomassage::storage::testing
