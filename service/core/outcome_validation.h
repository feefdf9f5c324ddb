// Input rules for outcome requests. Every bad field is named (BadRequest
// field violations) and all of them are reported at once, so a host
// developer can fix a request in one round trip.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::core {

// Limits shared by validation and storage.
inline constexpr int kMaxIdBytes = 128;
inline constexpr int kMaxTensionEntries = 32;
inline constexpr int kMaxTensionRegionBytes = 64;
inline constexpr int kMaxAdverseEvents = 32;
inline constexpr int kMaxAdverseEventDescriptionBytes = 2000;
inline constexpr int kMaxRelaxationNotesBytes = 4000;
inline constexpr int kMaxAmendReasonBytes = 1000;
inline constexpr int kMaxStepChanges = 64;
inline constexpr int kMaxStepChangeReasonBytes = 500;
inline constexpr int kMaxAdherenceReasonBytes = 1000;
inline constexpr int64_t kAllowedClockSkewUs = 60 * 1000 * 1000;
// Outcome ids are 128 random bits in lowercase hex.
inline constexpr int kOutcomeIdHexLength = 32;

// `now_us` (UTC microseconds) is injected so tests control the clock.
// Field paths look like "request_id", "outcome.pain_before",
// "outcome.tension[0].after", "outcome.adverse_events[1].type".
// Output-only fields (name, revision, create_time, amend_reason,
// patient_pseudonym) are ignored, not rejected: see ClearOutputOnlyFields.
absl::Status ValidateLogOutcomeRequest(const v1::LogOutcomeRequest& request, int64_t now_us);
absl::Status ValidateAmendOutcomeRequest(const v1::AmendOutcomeRequest& request, int64_t now_us);
absl::Status ValidateGetOutcomeRequest(const v1::GetOutcomeRequest& request);
// start_time < end_time, valid timestamps, known spine region. `field_prefix`
// is prepended with a dot ("filter" -> "filter.start_time"); empty for none.
absl::Status ValidateHistoryFilter(const v1::HistoryFilter& filter, absl::string_view field_prefix);

// The id of "outcomes/{id}", or INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> ParseOutcomeName(absl::string_view name,
                                             absl::string_view field = "name");

// Clears what the server sets itself, so a client echoing a returned outcome
// back (e.g. in an amendment or a retry) is treated like one that did not.
void ClearOutputOnlyFields(v1::Outcome* outcome);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points past U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// True for the canonical 8-4-4-4-12 hex form, either case.
bool IsUuid(absl::string_view text);

}  // namespace scoliomassage::core
