// Clinicians' clearances sent with the request: after a serious adverse event
// and after spinal surgery. The request is stored with the recommendation, so
// each clearance used is audited; the basis names it.
#pragma once

#include <string>

#include "google/protobuf/timestamp.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

// The latest clearance of `subject` given at or after `not_before` (pass a
// default Timestamp for no lower bound); null when there is none.
const v1::Clearance* FindClearance(const v1::RecommendProtocolRequest& request,
                                   v1::ClearanceSubject subject,
                                   const google::protobuf::Timestamp& not_before);

// "2026-11-30" (UTC); "an unknown date" when unset.
std::string DateOf(const google::protobuf::Timestamp& time);

// "spinal surgery, cleared by Dr A. Surgeon on 2026-11-30", for the basis.
std::string DescribeClearance(const v1::Clearance& clearance);

}  // namespace scoliomassage::core
