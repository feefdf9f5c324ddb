// The curve itself: its SOSORT severity band, whether the patient may still
// be growing, and when a specialist is due (SOSORT 2016; BrAIST 2013). These
// cards do not change today's session; they tell the clinician when the
// patient needs a specialist.
#pragma once

#include <string>

#include "core/explanation.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

// Scoliosis starts at a Cobb angle of 10 degrees.
inline constexpr double kScoliosisCobbDegrees = 10;
// A growing patient with 25-45 degrees is in the bracing window.
inline constexpr double kBracingWindowLowDegrees = 25;
inline constexpr double kBracingWindowHighDegrees = 45;
// Risser 0-2 on the US scale (0-5) means still growing.
inline constexpr int kGrowingMaxRisser = 2;
// Without a Risser grade, under this age a patient may still be growing.
inline constexpr int kPossiblyGrowingBelowAge = 16;
// A surgical opinion is due from here: growing, and adult.
inline constexpr double kSurgicalOpinionGrowingDegrees = 45;
inline constexpr double kSurgicalOpinionAdultDegrees = 50;

enum class Growth {
  kGrowing,          // Risser 0-2
  kPossiblyGrowing,  // no Risser grade, age 1-15
  kMature,           // Risser 3-5, or no Risser grade and age 16 or more
  kUnknown,          // neither Risser grade nor age recorded
};
Growth GrowthOf(const v1::PatientProfile& profile);

// The SOSORT band of a Cobb angle, e.g. "moderate (21-35 degrees)".
std::string SosortBand(double cobb_degrees);

// Adds the curve cards and fires the band rule; sets basis.curve_severity.
void AddCurveSeverityCards(const v1::PatientProfile& profile, v1::Basis& basis,
                           Explanation& explanation);

// The INFO card on every response: massage is supportive care and does not
// correct the curve.
void AddSupportiveCareCard(Explanation& explanation);

}  // namespace scoliomassage::core
