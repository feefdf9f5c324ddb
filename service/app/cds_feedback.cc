#include "app/cds_feedback.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/errors.h"

namespace scoliomassage::app {
namespace {

struct FoundCard {
  core::IssuedCard card;
  std::string recommendation_id;
  std::string patient_id;
  std::string protocol_id;
  int32_t spine_region = 0;
};

std::string EntryField(size_t i, absl::string_view field) {
  return absl::StrCat("feedback[", i, "].", field);
}

bool Offered(const core::CardFeedbackInput& entry) {
  for (const core::OverrideReason& reason : core::CardOverrideReasons()) {
    if (reason.system == entry.reason_system && reason.code == entry.reason_code) return true;
  }
  return false;
}

}  // namespace

CdsFeedback::CdsFeedback(storage::Store& store, const Pseudonymizer& pseudonyms,
                         RecommendationLog* recommendations)
    : store_(store), pseudonyms_(pseudonyms), recommendations_(recommendations) {}

absl::StatusOr<int> CdsFeedback::Record(const auth::Caller& caller, const std::string& service_id,
                                        const std::vector<core::CardFeedbackInput>& entries,
                                        std::string* audit_subject) const {
  // Each recommendation is read once, however many of its cards are named.
  std::map<std::string, std::vector<storage::StoredRecommendation>> by_prefix;
  std::vector<storage::CardFeedbackRow> rows;
  core::FieldViolations violations;
  const char* reason = nullptr;  // the reason of the first override violation
  for (size_t i = 0; i < entries.size(); ++i) {
    const core::CardFeedbackInput& entry = entries[i];
    const std::optional<std::string> prefix = core::RecommendationIdPrefix(entry.card_uuid);
    std::optional<FoundCard> found;
    if (prefix) {
      auto cached = by_prefix.find(*prefix);
      if (cached == by_prefix.end()) {
        auto loaded = store_.FindRecommendations(caller.clinic_id, *prefix);
        if (loaded.ok() && loaded->empty() && recommendations_ != nullptr) {
          // Recommendations are written in the background: feedback sent a
          // moment after its hook call may find its one still queued.
          recommendations_->Flush();
          loaded = store_.FindRecommendations(caller.clinic_id, *prefix);
        }
        if (!loaded.ok()) return loaded.status();
        cached = by_prefix.emplace(*prefix, *std::move(loaded)).first;
      }
      for (const storage::StoredRecommendation& stored : cached->second) {
        for (const core::IssuedCard& card : core::CardsOf(stored.response)) {
          if (card.uuid != entry.card_uuid) continue;
          found = FoundCard{card, stored.response.recommendation_id(), stored.request.patient_id(),
                            stored.response.protocol().protocol_id(),
                            static_cast<int32_t>(stored.request.profile().primary_region())};
        }
      }
    }
    if (!found) {
      // Another clinic's card looks like one never issued.
      return core::WithReason(
          absl::NotFoundError(absl::StrCat(EntryField(i, "card"), ": no card ", entry.card_uuid,
                                           " was issued to this clinic")),
          kReasonCardUnknown);
    }
    if (entry.accepted_suggestions > 0) {
      violations.Add(EntryField(i, "acceptedSuggestions"),
                     "this card offered no suggestions to accept");
    }
    if (entry.outcome == core::CardOutcome::kOverridden && found->card.offers_override_reasons) {
      // The card listed its reasons: an override must pick one of them, so
      // the override rate by reason is over a closed vocabulary.
      if (entry.reason_code.empty()) {
        violations.Add(EntryField(i, "overrideReason"),
                       "is required: this card offered overrideReasons; pick one of them");
        if (reason == nullptr) reason = kReasonOverrideReasonRequired;
      } else if (!Offered(entry)) {
        violations.Add(EntryField(i, "overrideReason.reason"),
                       absl::StrCat("'", entry.reason_system, "|", entry.reason_code,
                                    "' is not one of the card's overrideReasons"));
        if (reason == nullptr) reason = kReasonOverrideReasonUnknown;
      }
    }
    if (rows.empty()) *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, found->patient_id);
    storage::CardFeedbackRow row;
    row.card_uuid = entry.card_uuid;
    row.outcome = std::string(core::CardOutcomeName(entry.outcome));
    row.service_id = service_id;
    row.recommendation_id = found->recommendation_id;
    row.rule_id = found->card.rule_id;
    row.patient_id = found->patient_id;
    row.protocol_id = found->protocol_id;
    row.spine_region = found->spine_region;
    row.reason_system = entry.reason_system;
    row.reason_code = entry.reason_code;
    row.user_comment = entry.user_comment;
    row.accepted_suggestions = entry.accepted_suggestions;
    row.outcome_time_us = entry.outcome_time_us;
    row.principal = caller.principal;
    rows.push_back(std::move(row));
  }
  if (!violations.empty()) {
    absl::Status status = violations.ToStatus();
    return reason == nullptr ? status : core::WithReason(std::move(status), reason);
  }
  return store_.SaveCardFeedback(caller.clinic_id, rows);
}

}  // namespace scoliomassage::app
