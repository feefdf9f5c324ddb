// CDS Hooks feedback: what clinicians did with the cards (accepted or
// overridden, and why), stored per card and rule so that the summaries can
// report override rates (History::Summarize). The CDS face parses and shapes
// the entries (http/cds_feedback.h); this checks them against the cards that
// were really issued and stores them, all or nothing.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/audit_trail.h"
#include "app/types.h"
#include "core/cds_cards.h"

namespace scoliomassage::app {

class CdsFeedback {
 public:
  // `recommendations`, when given, is where recommendations are written in
  // the background: a card whose recommendation is not in the store yet
  // waits for it (Flush) once.
  CdsFeedback(storage::Store& store, const Pseudonymizer& pseudonyms,
              RecommendationLog* recommendations = nullptr);

  // Stores `entries`, sent to CDS service `service_id`, for the caller's
  // clinic; returns how many were new (a repeated entry, same card and
  // outcome, is harmless and stores nothing).
  //  * NOT_FOUND (reason CARD_UNKNOWN) when a card uuid was not issued to
  //    this clinic;
  //  * INVALID_ARGUMENT when an override of a card that offered
  //    overrideReasons gives none, or one the card did not offer
  //    (OVERRIDE_REASON_REQUIRED, OVERRIDE_REASON_UNKNOWN), or an entry
  //    accepts suggestions the card did not make.
  // Nothing is stored unless every entry checks out.
  // `audit_subject` gets the pseudonym of the first card's patient.
  absl::StatusOr<int> Record(const auth::Caller& caller, const std::string& service_id,
                             const std::vector<core::CardFeedbackInput>& entries,
                             std::string* audit_subject) const;

 private:
  storage::Store& store_;
  const Pseudonymizer& pseudonyms_;
  RecommendationLog* recommendations_;
};

// Reasons this use case gives (google.rpc.ErrorInfo.reason).
inline constexpr char kReasonCardUnknown[] = "CARD_UNKNOWN";
inline constexpr char kReasonOverrideReasonRequired[] = "OVERRIDE_REASON_REQUIRED";
inline constexpr char kReasonOverrideReasonUnknown[] = "OVERRIDE_REASON_UNKNOWN";

}  // namespace scoliomassage::app
