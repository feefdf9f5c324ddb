// The cards a recommendation shows a clinician through CDS Hooks, and the
// feedback the clinician gives on them (CDS Hooks 2.0, "Feedback").
//
// A card's uuid is derived, not random, so that the feedback endpoint can
// find the card again from the recommendation already stored (no table of
// issued cards, no extra write on the check-in path): the first 60 bits of
// the uuid are the first 60 bits of the recommendation id (random), the rest
// a hash of (recommendation id, card position, rule). Given a uuid, the store
// finds the few recommendations with that id prefix, and CardsOf() of each
// says which card, and so which rule, it was. The uuid has the layout of a
// version 4 UUID, which EHRs may check: it is as unguessable to others as a
// random one, since everything in it derives from the random recommendation
// id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

// The rule id filed for feedback on the first card, today's protocol (or the
// decision not to massage), which no single rule produces.
inline constexpr char kProtocolCardRule[] = "protocol";

// A coding a clinician may pick when not following a warning or critical card.
struct OverrideReason {
  std::string system;
  std::string code;
  std::string display;
};
const std::vector<OverrideReason>& CardOverrideReasons();

// One card as the CDS Hooks face shows it.
struct IssuedCard {
  std::string uuid;
  int index = 0;         // 0: the protocol card; i: response.cards(i - 1)
  std::string rule_id;   // kProtocolCardRule for index 0
  v1::Indicator indicator = v1::INDICATOR_INFO;
  bool offers_override_reasons = false;  // warning and critical cards
};

// Every card of `response`, in the order they are shown.
std::vector<IssuedCard> CardsOf(const v1::RecommendProtocolResponse& response);

// The uuid of card `index` (rule `rule_id`) of the recommendation.
std::string CardUuid(absl::string_view recommendation_id, int index, absl::string_view rule_id);

// The recommendation id prefix ("recommendations/" + 15 hex digits) a card
// uuid was derived from; nullopt when `uuid` is not one of ours.
std::optional<std::string> RecommendationIdPrefix(absl::string_view uuid);

// What a clinician did with a card, as the CDS client reports it.
enum class CardOutcome { kAccepted, kOverridden };
absl::string_view CardOutcomeName(CardOutcome outcome);  // "accepted", "overridden"

// One feedback entry, checked for shape by the face that parsed it.
struct CardFeedbackInput {
  std::string card_uuid;  // lowercase canonical form
  CardOutcome outcome = CardOutcome::kAccepted;
  // overrideReason.reason; empty when none was given.
  std::string reason_system;
  std::string reason_code;
  // overrideReason.userComment: free text, stored, never shown to analytics.
  std::string user_comment;
  int accepted_suggestions = 0;
  int64_t outcome_time_us = 0;
};

// A user comment longer than this is refused (it is a comment, not a record).
inline constexpr size_t kMaxUserCommentBytes = 2000;
// Entries in one feedback request.
inline constexpr size_t kMaxFeedbackEntries = 100;

}  // namespace scoliomassage::core
