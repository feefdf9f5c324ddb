#include "core/assessment_validation.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/outcome_validation.h"

namespace scoliomassage::core {
namespace {

// google.protobuf.Timestamp's valid range: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

bool IsValidTime(const google::protobuf::Timestamp& time) {
  return time.seconds() >= kMinSeconds && time.seconds() <= kMaxSeconds && time.nanos() >= 0 &&
         time.nanos() <= 999999999;
}

int64_t Micros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1000000 + time.nanos() / 1000;
}

void CheckRequestId(FieldViolations& violations, const std::string& request_id) {
  if (request_id.empty()) {
    violations.Add("request_id", "is required: a UUID chosen by the caller and reused on retries");
  } else if (!IsUuid(request_id)) {
    violations.Add("request_id", "must be a UUID (8-4-4-4-12 hexadecimal digits)");
  }
}

void CheckId(FieldViolations& violations, const std::string& field, const std::string& value,
             bool required) {
  if (value.empty()) {
    if (required) violations.Add(field, "is required");
    return;
  }
  if (value.size() > static_cast<size_t>(kMaxIdBytes) || !IsValidUtf8(value)) {
    violations.Add(field, absl::StrCat("must be UTF-8 of at most ", kMaxIdBytes, " bytes"));
  }
}

// `required`: absent is a violation; otherwise absent is fine (now).
void CheckTime(FieldViolations& violations, const std::string& field, bool present,
               const google::protobuf::Timestamp& time, int64_t now_us, bool required) {
  if (!present) {
    if (required) violations.Add(field, "is required");
    return;
  }
  if (!IsValidTime(time)) {
    violations.Add(field, "is not a valid timestamp");
  } else if (Micros(time) > now_us + kAllowedClockSkewUs) {
    violations.Add(field, "must not be in the future (1 minute of clock skew is allowed)");
  }
}

}  // namespace

absl::Status ValidateRecordAssessmentRequest(const v1::RecordAssessmentRequest& request,
                                             int64_t now_us) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  if (!request.has_assessment()) {
    violations.Add("assessment", "is required");
    return violations.ToStatus();
  }
  const v1::Assessment& assessment = request.assessment();
  CheckId(violations, "assessment.patient_id", assessment.patient_id(), true);
  CheckId(violations, "assessment.instrument_id", assessment.instrument_id(), true);
  CheckId(violations, "assessment.therapist_id", assessment.therapist_id(), false);
  CheckTime(violations, "assessment.performed_at", assessment.has_performed_at(),
            assessment.performed_at(), now_us, true);
  return violations.ToStatus();
}

absl::Status ValidateListAssessmentsRequest(const v1::ListAssessmentsRequest& request) {
  FieldViolations violations;
  CheckId(violations, "patient_id", request.patient_id(), true);
  CheckId(violations, "instrument_id", request.instrument_id(), false);
  if (!request.episode().empty()) {
    auto episode = ParseRecordName(request.episode(), "episodes", "episode");
    if (!episode.ok()) return episode.status();
  }
  return violations.ToStatus();
}

absl::Status ValidateOpenEpisodeRequest(const v1::OpenEpisodeRequest& request, int64_t now_us) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  CheckId(violations, "patient_id", request.patient_id(), true);
  CheckTime(violations, "opened_at", request.has_opened_at(), request.opened_at(), now_us, false);
  return violations.ToStatus();
}

absl::Status ValidateCloseEpisodeRequest(const v1::CloseEpisodeRequest& request, int64_t now_us) {
  FieldViolations violations;
  if (auto id = ParseRecordName(request.name(), "episodes", "name"); !id.ok()) {
    violations.Add("name", "must be episodes/{id}");
  }
  CheckTime(violations, "closed_at", request.has_closed_at(), request.closed_at(), now_us, false);
  return violations.ToStatus();
}

absl::StatusOr<std::string> ParseRecordName(const std::string& name, const std::string& collection,
                                            const std::string& field) {
  const std::string prefix = collection + "/";
  if (!absl::StartsWith(name, prefix)) {
    return InvalidField(field, absl::StrCat("must be ", collection, "/{id}"));
  }
  std::string id = name.substr(prefix.size());
  bool hex = id.size() == static_cast<size_t>(kOutcomeIdHexLength);
  for (char c : id) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!hex) {
    return InvalidField(field, absl::StrCat("must be ", collection, "/{id} with a 32-digit hex id"));
  }
  return id;
}

}  // namespace scoliomassage::core
