#include "core/outcome_validation.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "scoliomassage/v1/common.pb.h"

namespace scoliomassage::core {
namespace {

// google.protobuf.Timestamp's documented range: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

std::string Join(absl::string_view prefix, absl::string_view field) {
  if (prefix.empty()) return std::string(field);
  return absl::StrCat(prefix, ".", field);
}

bool IsValidTimestamp(const google::protobuf::Timestamp& time) {
  return time.seconds() >= kMinTimestampSeconds && time.seconds() <= kMaxTimestampSeconds &&
         time.nanos() >= 0 && time.nanos() <= 999999999;
}

int64_t ToMicros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1000000 + time.nanos() / 1000;
}

// Checks an optional string: UTF-8 and at most `max_bytes`.
void CheckText(FieldViolations& violations, const std::string& field, const std::string& value,
               size_t max_bytes) {
  if (!IsValidUtf8(value)) {
    violations.Add(field, "must be valid UTF-8");
  } else if (value.size() > max_bytes) {
    violations.Add(field, absl::StrCat("must be at most ", max_bytes, " bytes, got ", value.size()));
  }
}

// Checks a required string: present, UTF-8 and at most `max_bytes`.
void CheckRequiredText(FieldViolations& violations, const std::string& field,
                       const std::string& value, size_t max_bytes) {
  if (value.empty()) {
    violations.Add(field, "is required");
    return;
  }
  CheckText(violations, field, value, max_bytes);
}

void CheckRange(FieldViolations& violations, const std::string& field, int64_t value, int64_t low,
                int64_t high) {
  if (value < low || value > high) {
    violations.Add(field, absl::StrCat("must be between ", low, " and ", high, ", got ", value));
  }
}

void CheckRequestId(FieldViolations& violations, const std::string& request_id) {
  if (request_id.empty()) {
    violations.Add("request_id", "is required: a UUID chosen by the caller and reused on retries");
  } else if (!IsUuid(request_id)) {
    violations.Add("request_id", "must be a UUID (8-4-4-4-12 hexadecimal digits)");
  }
}

// An adverse event's follow-up: times in order, a resolution time only for
// a resolved event.
void CheckFollowUp(FieldViolations& violations, const v1::AdverseEvent& event,
                   const std::string& field, const v1::Outcome& outcome, int64_t now_us) {
  bool onset_ok = false;
  if (event.has_onset_time()) {
    if (!IsValidTimestamp(event.onset_time())) {
      violations.Add(field + ".onset_time", "is not a valid timestamp");
    } else if (ToMicros(event.onset_time()) > now_us + kAllowedClockSkewUs) {
      violations.Add(field + ".onset_time", "must not be in the future");
    } else if (outcome.has_performed_at() && IsValidTimestamp(outcome.performed_at()) &&
               ToMicros(event.onset_time()) <
                   ToMicros(outcome.performed_at()) - kAllowedClockSkewUs) {
      violations.Add(field + ".onset_time", "must not be before the session (performed_at)");
    } else {
      onset_ok = true;
    }
  }
  if (!v1::AdverseEventResolution_IsValid(event.resolution())) {
    violations.Add(field + ".resolution", absl::StrCat("unknown resolution ", event.resolution()));
  }
  if (!v1::AdverseEventAction_IsValid(event.action_taken())) {
    violations.Add(field + ".action_taken", absl::StrCat("unknown action ", event.action_taken()));
  }
  const bool resolved = event.resolution() == v1::ADVERSE_EVENT_RESOLUTION_RESOLVED;
  if (resolved && !event.has_resolved_time()) {
    violations.Add(field + ".resolved_time", "is required with ADVERSE_EVENT_RESOLUTION_RESOLVED");
  } else if (!resolved && event.has_resolved_time()) {
    violations.Add(field + ".resolved_time",
                   "is only for a resolved event (resolution ADVERSE_EVENT_RESOLUTION_RESOLVED)");
  } else if (event.has_resolved_time()) {
    if (!IsValidTimestamp(event.resolved_time())) {
      violations.Add(field + ".resolved_time", "is not a valid timestamp");
    } else if (ToMicros(event.resolved_time()) > now_us + kAllowedClockSkewUs) {
      violations.Add(field + ".resolved_time", "must not be in the future");
    } else if (onset_ok && ToMicros(event.resolved_time()) < ToMicros(event.onset_time())) {
      violations.Add(field + ".resolved_time", "must not be before onset_time");
    }
  }
}

// What was done: the shape of the adherence fields. Whether the steps exist
// in the named recommendation is checked where the recommendation is known
// (app/outcomes.cc).
void CheckAdherence(FieldViolations& violations, const v1::Outcome& outcome, const std::string& p) {
  const v1::Adherence adherence = outcome.adherence();
  if (!v1::Adherence_IsValid(adherence)) {
    violations.Add(p + "adherence", absl::StrCat("unknown adherence ", adherence));
    return;
  }
  CheckText(violations, p + "adherence_reason", outcome.adherence_reason(),
            kMaxAdherenceReasonBytes);
  if (adherence == v1::ADHERENCE_UNSPECIFIED) {
    if (outcome.step_changes_size() > 0) {
      violations.Add(p + "adherence", "is required with step_changes (ADHERENCE_MODIFIED)");
    }
    return;
  }
  if (outcome.recommendation_id().empty()) {
    violations.Add(p + "recommendation_id",
                   "is required with adherence: the recommendation the session followed");
  }
  if (adherence == v1::ADHERENCE_AS_RECOMMENDED && outcome.step_changes_size() > 0) {
    violations.Add(p + "step_changes", "must be empty with ADHERENCE_AS_RECOMMENDED");
  }
  if (adherence == v1::ADHERENCE_MODIFIED && outcome.step_changes_size() == 0 &&
      outcome.adherence_reason().empty()) {
    violations.Add(p + "step_changes",
                   "ADHERENCE_MODIFIED needs the steps changed or skipped (or an adherence_reason)");
  }
  if (adherence == v1::ADHERENCE_NOT_FOLLOWED && outcome.adherence_reason().empty()) {
    violations.Add(p + "adherence_reason", "is required with ADHERENCE_NOT_FOLLOWED");
  }
  if (outcome.step_changes_size() > kMaxStepChanges) {
    violations.Add(p + "step_changes", absl::StrCat("at most ", kMaxStepChanges, " entries, got ",
                                                    outcome.step_changes_size()));
  }
  for (int i = 0; i < outcome.step_changes_size(); ++i) {
    const v1::StepChange& change = outcome.step_changes(i);
    const std::string field = absl::StrCat(p, "step_changes[", i, "]");
    if (change.step_order() < 0 || change.step_order() > 1000) {
      violations.Add(field + ".step_order", "must be the step's order (1 or more) in the protocol");
    } else if (change.step_order() == 0 && change.body_area() == v1::BODY_AREA_UNSPECIFIED) {
      violations.Add(field + ".step_order", "is required unless body_area is given");
    }
    if (!v1::BodyArea_IsValid(change.body_area())) {
      violations.Add(field + ".body_area", absl::StrCat("unknown body area ", change.body_area()));
    }
    if (change.kind() == v1::STEP_CHANGE_KIND_UNSPECIFIED) {
      violations.Add(field + ".kind", "is required: STEP_CHANGE_KIND_SKIPPED or _MODIFIED");
    } else if (!v1::StepChangeKind_IsValid(change.kind())) {
      violations.Add(field + ".kind", absl::StrCat("unknown kind ", change.kind()));
    }
    CheckRequiredText(violations, field + ".reason", change.reason(), kMaxStepChangeReasonBytes);
  }
}

void CheckOutcome(FieldViolations& violations, const v1::Outcome& outcome, int64_t now_us) {
  const std::string p = "outcome.";
  CheckRequiredText(violations, p + "patient_id", outcome.patient_id(), kMaxIdBytes);
  CheckRequiredText(violations, p + "therapist_id", outcome.therapist_id(), kMaxIdBytes);
  CheckText(violations, p + "encounter_id", outcome.encounter_id(), kMaxIdBytes);
  CheckText(violations, p + "recommendation_id", outcome.recommendation_id(), kMaxIdBytes);
  CheckRequiredText(violations, p + "protocol_id", outcome.protocol_id(), kMaxIdBytes);
  if (!v1::SpineRegion_IsValid(outcome.spine_region())) {
    violations.Add(p + "spine_region", absl::StrCat("unknown spine region ", outcome.spine_region()));
  }
  CheckRange(violations, p + "session_number", outcome.session_number(), 1, 1000);
  CheckRange(violations, p + "minutes", outcome.minutes(), 1, 120);
  if (!outcome.has_pain_before()) {
    violations.Add(p + "pain_before", "is required (0-10 numeric rating scale)");
  } else {
    CheckRange(violations, p + "pain_before", outcome.pain_before(), 0, 10);
  }
  if (!outcome.has_pain_after()) {
    violations.Add(p + "pain_after", "is required (0-10 numeric rating scale)");
  } else {
    CheckRange(violations, p + "pain_after", outcome.pain_after(), 0, 10);
  }

  if (outcome.tension_size() > kMaxTensionEntries) {
    violations.Add(p + "tension", absl::StrCat("at most ", kMaxTensionEntries, " entries, got ",
                                               outcome.tension_size()));
  }
  for (int i = 0; i < outcome.tension_size(); ++i) {
    const v1::Tension& tension = outcome.tension(i);
    const std::string field = absl::StrCat(p, "tension[", i, "]");
    CheckRequiredText(violations, field + ".region", tension.region(), kMaxTensionRegionBytes);
    CheckRange(violations, field + ".before", tension.before(), 0, 3);
    CheckRange(violations, field + ".after", tension.after(), 0, 3);
  }

  if (outcome.adverse_events_size() > kMaxAdverseEvents) {
    violations.Add(p + "adverse_events", absl::StrCat("at most ", kMaxAdverseEvents,
                                                      " entries, got ", outcome.adverse_events_size()));
  }
  for (int i = 0; i < outcome.adverse_events_size(); ++i) {
    const v1::AdverseEvent& event = outcome.adverse_events(i);
    const std::string field = absl::StrCat(p, "adverse_events[", i, "]");
    if (event.type() == v1::ADVERSE_EVENT_TYPE_UNSPECIFIED) {
      violations.Add(field + ".type", "is required");
    } else if (!v1::AdverseEventType_IsValid(event.type())) {
      violations.Add(field + ".type", absl::StrCat("unknown adverse event type ", event.type()));
    }
    if (event.severity() == v1::SEVERITY_UNSPECIFIED) {
      violations.Add(field + ".severity", "is required");
    } else if (!v1::Severity_IsValid(event.severity())) {
      violations.Add(field + ".severity", absl::StrCat("unknown severity ", event.severity()));
    }
    CheckText(violations, field + ".description", event.description(),
              kMaxAdverseEventDescriptionBytes);
    CheckFollowUp(violations, event, field, outcome, now_us);
  }

  CheckText(violations, p + "relaxation_notes", outcome.relaxation_notes(),
            kMaxRelaxationNotesBytes);
  CheckAdherence(violations, outcome, p);

  if (!outcome.has_performed_at()) {
    violations.Add(p + "performed_at", "is required: when the session took place");
  } else if (!IsValidTimestamp(outcome.performed_at())) {
    violations.Add(p + "performed_at", "is not a valid timestamp");
  } else if (ToMicros(outcome.performed_at()) > now_us + kAllowedClockSkewUs) {
    violations.Add(p + "performed_at", "must not be in the future (1 minute of clock skew is allowed)");
  }
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    int length;
    uint32_t code_point;
    uint32_t minimum;
    if ((lead & 0xE0) == 0xC0) {
      length = 2, code_point = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code_point = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code_point = lead & 0x07, minimum = 0x10000;
    } else {
      return false;
    }
    if (i + length > n) return false;
    for (int k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> ParseOutcomeName(absl::string_view name, absl::string_view field) {
  constexpr absl::string_view kPrefix = "outcomes/";
  if (name.empty()) return InvalidField(std::string(field), "is required: \"outcomes/{id}\"");
  bool well_formed = absl::StartsWith(name, kPrefix) &&
                     name.size() == kPrefix.size() + kOutcomeIdHexLength;
  if (well_formed) {
    for (char c : name.substr(kPrefix.size())) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) well_formed = false;
    }
  }
  if (!well_formed) {
    return InvalidField(std::string(field),
                        absl::StrCat("must look like \"outcomes/{id}\" with a ", kOutcomeIdHexLength,
                                     "-digit lowercase hexadecimal id"));
  }
  return std::string(name.substr(kPrefix.size()));
}

void ClearOutputOnlyFields(v1::Outcome* outcome) {
  outcome->clear_name();
  outcome->clear_revision();
  outcome->clear_create_time();
  outcome->clear_amend_reason();
  outcome->clear_patient_pseudonym();
  outcome->clear_episode();
}

absl::Status ValidateLogOutcomeRequest(const v1::LogOutcomeRequest& request, int64_t now_us) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  if (!request.has_outcome()) {
    violations.Add("outcome", "is required");
  } else {
    CheckOutcome(violations, request.outcome(), now_us);
  }
  return violations.ToStatus();
}

absl::Status ValidateAmendOutcomeRequest(const v1::AmendOutcomeRequest& request, int64_t now_us) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  if (auto id = ParseOutcomeName(request.name()); !id.ok()) {
    for (auto& [field, description] : FieldViolationsOf(id.status())) {
      violations.Add(field, description);
    }
  }
  if (!request.has_outcome()) {
    violations.Add("outcome", "is required: the whole corrected outcome");
  } else {
    CheckOutcome(violations, request.outcome(), now_us);
  }
  CheckRequiredText(violations, "reason", request.reason(), kMaxAmendReasonBytes);
  return violations.ToStatus();
}

absl::Status ValidateGetOutcomeRequest(const v1::GetOutcomeRequest& request) {
  FieldViolations violations;
  if (auto id = ParseOutcomeName(request.name()); !id.ok()) {
    for (auto& [field, description] : FieldViolationsOf(id.status())) {
      violations.Add(field, description);
    }
  }
  if (request.revision() < 0) {
    violations.Add("revision", "must be 0 (latest) or a positive revision number");
  }
  return violations.ToStatus();
}

absl::Status ValidateHistoryFilter(const v1::HistoryFilter& filter, absl::string_view field_prefix) {
  FieldViolations violations;
  CheckText(violations, Join(field_prefix, "patient_id"), filter.patient_id(), kMaxIdBytes);
  CheckText(violations, Join(field_prefix, "therapist_id"), filter.therapist_id(), kMaxIdBytes);
  CheckText(violations, Join(field_prefix, "protocol_id"), filter.protocol_id(), kMaxIdBytes);
  if (!v1::SpineRegion_IsValid(filter.spine_region())) {
    violations.Add(Join(field_prefix, "spine_region"),
                   absl::StrCat("unknown spine region ", filter.spine_region()));
  }
  const bool start_valid = !filter.has_start_time() || IsValidTimestamp(filter.start_time());
  const bool end_valid = !filter.has_end_time() || IsValidTimestamp(filter.end_time());
  if (!start_valid) violations.Add(Join(field_prefix, "start_time"), "is not a valid timestamp");
  if (!end_valid) violations.Add(Join(field_prefix, "end_time"), "is not a valid timestamp");
  if (start_valid && end_valid && filter.has_start_time() && filter.has_end_time() &&
      ToMicros(filter.start_time()) >= ToMicros(filter.end_time())) {
    violations.Add(Join(field_prefix, "end_time"), "must be after start_time (the range is [start, end))");
  }
  return violations.ToStatus();
}

}  // namespace scoliomassage::core
