#include "cli/history_format.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "scoliomassage/v1/common.pb.h"

namespace scoliomassage::cli {

std::string FormatTime(const google::protobuf::Timestamp& time, bool present) {
  if (!present) return "";
  return google::protobuf::util::TimeUtil::ToString(time);
}

std::vector<std::string> HistoryCsvHeader() {
  return {"name",           "revision",     "create_time",       "performed_at",
          "patient_id",     "patient_pseudonym", "therapist_id",  "encounter_id",
          "recommendation_id", "protocol_id", "protocol_version", "spine_region",
          "session_number", "minutes",      "pain_before",       "pain_after",
          "adverse_event_count", "resume_token"};
}

std::vector<std::string> HistoryCsvRow(const v1::HistoryRecord& record) {
  const v1::Outcome& o = record.outcome();
  // Enum values as their full names, as in the JSON, so both exports join.
  return {o.name(),
          absl::StrCat(o.revision()),
          FormatTime(o.create_time(), o.has_create_time()),
          FormatTime(o.performed_at(), o.has_performed_at()),
          o.patient_id(),
          o.patient_pseudonym(),
          o.therapist_id(),
          o.encounter_id(),
          o.recommendation_id(),
          o.protocol_id(),
          absl::StrCat(o.protocol_version()),
          v1::SpineRegion_Name(o.spine_region()),
          absl::StrCat(o.session_number()),
          absl::StrCat(o.minutes()),
          o.has_pain_before() ? absl::StrCat(o.pain_before()) : "",
          o.has_pain_after() ? absl::StrCat(o.pain_after()) : "",
          absl::StrCat(o.adverse_events_size()),
          record.resume_token()};
}

}  // namespace scoliomassage::cli
