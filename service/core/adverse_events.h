// The adverse events of the last session, at the next check-in (Yin 2014).
// Neurological symptoms of any severity, or any SEVERE event: refer, no
// massage, until the host records a clinician's clearance given after that
// session; then the session proceeds stepped back (the dose rules step it
// back) with a WARNING card. MODERATE and MILD events only change the dose.
#pragma once

#include <string>

#include "core/explanation.h"
#include "core/progress.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

struct AdverseEventGate {
  bool refer = false;
  // Set when a clearance let a serious event's patient proceed.
  const v1::Clearance* clearance = nullptr;
};

// Adds the CRITICAL (refer) or WARNING (cleared) card.
AdverseEventGate CheckLastSessionEvents(const v1::RecommendProtocolRequest& request,
                                        const PatientProgress& progress,
                                        Explanation& explanation);

// "neurological symptoms (MILD)", for cards.
std::string DescribeAdverseEvent(const v1::AdverseEvent& event);

}  // namespace scoliomassage::core
