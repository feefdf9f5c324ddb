// Today's screening findings, pain, a cleared spinal surgery and a dose step
// back, turned into changes to the plan (limits over technique classes and
// intensities, positions, left-out areas), each with its card.
#pragma once

#include <vector>

#include "core/dose.h"
#include "core/explanation.h"
#include "core/screening.h"
#include "core/session_plan.h"
#include "core/technique_limits.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

// Adds a WARNING card per modifier; names a surgeon's clearance in `basis`.
SessionChanges ApplyModifiers(const v1::RecommendProtocolRequest& request,
                              const ScreeningFindings& findings, const Dose& dose,
                              v1::Basis& basis, Explanation& explanation);

// The WARNING card that lists every step a limit replaced or lightened.
void AddTechniqueChangeCard(const std::vector<TechniqueChange>& changes,
                            Explanation& explanation);

}  // namespace scoliomassage::core
