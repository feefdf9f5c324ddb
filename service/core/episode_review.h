// The episode outcome: pre-session pain at the first session against the
// latest one (not within-session relief). After 6 or more sessions without a
// meaningful fall (2 points or 30%: Farrar 2001; Ostelo 2008) a card asks
// the clinician to review the plan; SOSORT recommends scoliosis-specific
// exercise as the conservative treatment.
#pragma once

#include "core/explanation.h"
#include "core/progress.h"

namespace scoliomassage::core {

inline constexpr int kEpisodeReviewAfterSessions = 6;

void CheckEpisodeProgress(const PatientProgress& progress, Explanation& explanation);

}  // namespace scoliomassage::core
