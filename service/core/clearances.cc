#include "core/clearances.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace scoliomassage::core {
namespace {

bool Before(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
  return a.seconds() < b.seconds() || (a.seconds() == b.seconds() && a.nanos() < b.nanos());
}

const char* SubjectWords(v1::ClearanceSubject subject) {
  switch (subject) {
    case v1::CLEARANCE_SUBJECT_ADVERSE_EVENT: return "adverse event";
    case v1::CLEARANCE_SUBJECT_SPINAL_SURGERY: return "spinal surgery";
    default: return "unspecified";
  }
}

}  // namespace

const v1::Clearance* FindClearance(const v1::RecommendProtocolRequest& request,
                                   v1::ClearanceSubject subject,
                                   const google::protobuf::Timestamp& not_before) {
  const v1::Clearance* latest = nullptr;
  for (const auto& clearance : request.clearances()) {
    if (clearance.subject() != subject || Before(clearance.cleared_at(), not_before)) continue;
    if (latest == nullptr || Before(latest->cleared_at(), clearance.cleared_at())) {
      latest = &clearance;
    }
  }
  return latest;
}

std::string DateOf(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "an unknown date";
  return google::protobuf::util::TimeUtil::ToString(time).substr(0, 10);
}

std::string DescribeClearance(const v1::Clearance& clearance) {
  return absl::StrCat(SubjectWords(clearance.subject()), ", cleared by ", clearance.cleared_by(),
                      " on ", DateOf(clearance.cleared_at()));
}

}  // namespace scoliomassage::core
