// Patients under 18: a parent's or guardian's written consent is needed, and
// at 15 or under many regulators ask that a guardian be present and that the
// areas worked (abdomen, gluteals) be agreed.
#pragma once

#include "core/explanation.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

inline constexpr int kAdultAge = 18;
inline constexpr int kGuardianPresentUpToAge = 15;

// Adds the consent cards. True when consent was refused: defer the session.
bool CheckGuardianConsent(const v1::RecommendProtocolRequest& request, Explanation& explanation);

}  // namespace scoliomassage::core
