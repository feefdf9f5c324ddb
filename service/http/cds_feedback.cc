#include "http/cds_feedback.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/errors.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

bool IsUuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// A string member, "" when absent; false when present but not a string.
bool OptionalString(const json& object, const char* name, std::string* out) {
  out->clear();
  auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

void ParseEntry(const json& entry, const std::string& at, core::FieldViolations& violations,
                core::CardFeedbackInput* out) {
  if (!entry.is_object()) {
    violations.Add(at, "must be an object");
    return;
  }
  std::string card;
  if (!OptionalString(entry, "card", &card) || card.empty()) {
    violations.Add(at + ".card", "is required: the uuid of the card acted on");
  } else if (!IsUuid(card)) {
    violations.Add(at + ".card", "must be a UUID (8-4-4-4-12 hex digits)");
  } else {
    out->card_uuid = absl::AsciiStrToLower(card);
  }

  std::string outcome;
  const bool outcome_ok = OptionalString(entry, "outcome", &outcome);
  if (outcome_ok && outcome == "accepted") {
    out->outcome = core::CardOutcome::kAccepted;
  } else if (outcome_ok && outcome == "overridden") {
    out->outcome = core::CardOutcome::kOverridden;
  } else {
    violations.Add(at + ".outcome", "must be \"accepted\" or \"overridden\"");
  }

  std::string timestamp;
  absl::Time time;
  std::string error;
  if (!OptionalString(entry, "outcomeTimestamp", &timestamp) || timestamp.empty()) {
    violations.Add(at + ".outcomeTimestamp", "is required: when the clinician acted (RFC 3339)");
  } else if (!absl::ParseTime(absl::RFC3339_full, timestamp, &time, &error)) {
    violations.Add(at + ".outcomeTimestamp", "must be an RFC 3339 date-time with a time zone");
  } else {
    out->outcome_time_us = absl::ToUnixMicros(time);
  }

  if (auto it = entry.find("acceptedSuggestions"); it != entry.end()) {
    if (!it->is_array()) {
      violations.Add(at + ".acceptedSuggestions", "must be an array");
    } else {
      for (size_t i = 0; i < it->size(); ++i) {
        const json& suggestion = (*it)[i];
        if (!suggestion.is_object() || !suggestion.contains("id") || !suggestion["id"].is_string()) {
          violations.Add(absl::StrCat(at, ".acceptedSuggestions[", i, "].id"), "is required");
        }
      }
      out->accepted_suggestions = static_cast<int>(it->size());
      if (outcome == "overridden" && !it->empty()) {
        violations.Add(at + ".acceptedSuggestions", "an overridden card accepts no suggestions");
      }
    }
  }

  if (auto it = entry.find("overrideReason"); it != entry.end()) {
    if (outcome == "accepted") {
      violations.Add(at + ".overrideReason", "only an overridden card has an override reason");
    }
    if (!it->is_object()) {
      violations.Add(at + ".overrideReason", "must be an object");
      return;
    }
    if (auto reason = it->find("reason"); reason != it->end()) {
      if (!reason->is_object()) {
        violations.Add(at + ".overrideReason.reason", "must be a Coding object");
      } else {
        if (!OptionalString(*reason, "code", &out->reason_code) || out->reason_code.empty()) {
          violations.Add(at + ".overrideReason.reason.code", "is required");
        }
        if (!OptionalString(*reason, "system", &out->reason_system)) {
          violations.Add(at + ".overrideReason.reason.system", "must be a string");
        }
        std::string display;
        if (!OptionalString(*reason, "display", &display)) {
          violations.Add(at + ".overrideReason.reason.display", "must be a string");
        }
      }
    }
    if (!OptionalString(*it, "userComment", &out->user_comment)) {
      violations.Add(at + ".overrideReason.userComment", "must be a string");
    } else if (out->user_comment.size() > core::kMaxUserCommentBytes) {
      violations.Add(at + ".overrideReason.userComment",
                     absl::StrCat("is longer than ", core::kMaxUserCommentBytes, " bytes"));
    }
  }
}

}  // namespace

absl::StatusOr<std::vector<core::CardFeedbackInput>> ParseFeedback(const json& body) {
  if (!body.is_object()) return core::InvalidField("body", "must be a JSON object");
  auto feedback = body.find("feedback");
  if (feedback == body.end() || !feedback->is_array() || feedback->empty()) {
    return core::InvalidField("feedback", "is required: an array of one or more feedback entries");
  }
  if (feedback->size() > core::kMaxFeedbackEntries) {
    return core::InvalidField("feedback", absl::StrCat("has more than ", core::kMaxFeedbackEntries,
                                                       " entries; send them in several requests"));
  }
  core::FieldViolations violations;
  std::vector<core::CardFeedbackInput> entries(feedback->size());
  for (size_t i = 0; i < feedback->size(); ++i) {
    ParseEntry((*feedback)[i], absl::StrCat("feedback[", i, "]"), violations, &entries[i]);
  }
  if (!violations.empty()) return violations.ToStatus();
  return entries;
}

}  // namespace scoliomassage::http
