// Cards about the curve itself (SOSORT 2016, clinical.md "Curve severity").
// They do not change today's session; they tell the clinician when the
// patient needs a specialist, and they say so on every response.
#pragma once

#include "core/explanation.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

// Scoliosis starts at a Cobb angle of 10 degrees.
inline constexpr double kScoliosisCobbDegrees = 10;
// A growing patient (Risser 0-2) with 25-40 degrees is in the bracing window.
inline constexpr double kBracingWindowLowDegrees = 25;
inline constexpr double kBracingWindowHighDegrees = 40;
inline constexpr int kGrowingMaxRisser = 2;
// From here a surgical opinion is due.
inline constexpr double kSurgicalOpinionDegrees = 45;

void AddCurveSeverityCards(const v1::PatientProfile& profile, Explanation& explanation);

// The INFO card on every response: massage is supportive care and does not
// correct the curve.
void AddSupportiveCareCard(Explanation& explanation);

}  // namespace scoliomassage::core
