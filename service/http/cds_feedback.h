// CDS Hooks 2.0 feedback (POST {baseUrl}/cds-services/{id}/feedback): the
// check of the request body's shape, turned into core::CardFeedbackInput.
// Whether the cards exist and which override reasons they offered is app's
// check (app/cds_feedback.h).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "core/cds_cards.h"

namespace scoliomassage::http {

// {"feedback":[{"card":"<uuid>","outcome":"accepted"|"overridden",
//   "acceptedSuggestions":[{"id":...}],"overrideReason":{"reason":{Coding},
//   "userComment":"..."},"outcomeTimestamp":"<RFC 3339>"}]}.
// INVALID_ARGUMENT with a field violation for every bad field. Members the
// specification does not define are ignored (extensions).
absl::StatusOr<std::vector<core::CardFeedbackInput>> ParseFeedback(const nlohmann::json& body);

}  // namespace scoliomassage::http
