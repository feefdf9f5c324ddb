#include "core/cds_cards.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"

namespace scoliomassage::core {
namespace {

constexpr char kRecommendationPrefix[] = "recommendations/";
constexpr size_t kIdHexDigits = 15;  // 60 bits of the recommendation id

// FNV-1a, 64 bits: stable across builds and platforms. The hashed part of a
// uuid only tells the cards of one recommendation apart (its secrecy comes
// from the random recommendation id), so a cryptographic hash is not needed.
uint64_t Fnv1a(absl::string_view text, uint64_t hash = 1469598103934665603ull) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

}  // namespace

const std::vector<OverrideReason>& CardOverrideReasons() {
  static const std::vector<OverrideReason> reasons = {
      {"urn:scoliomassage:override-reason", "clinician-assessed",
       "Assessed by the clinician: not applicable today"},
      {"urn:scoliomassage:override-reason", "physician-cleared",
       "A physician has cleared massage for this patient"},
      {"urn:scoliomassage:override-reason", "record-incorrect",
       "The record that triggered this card is incorrect"},
  };
  return reasons;
}

std::string CardUuid(absl::string_view recommendation_id, int index, absl::string_view rule_id) {
  absl::string_view id = recommendation_id;
  absl::ConsumePrefix(&id, kRecommendationPrefix);
  std::string prefix(id.substr(0, kIdHexDigits));
  if (prefix.size() < kIdHexDigits || !IsLowerHex(prefix)) {
    // Not a recommendation id of ours: still a stable uuid, never found again.
    const uint64_t h = Fnv1a(recommendation_id);
    prefix = absl::StrCat(absl::Hex(h, absl::kZeroPad16)).substr(0, kIdHexDigits);
  }
  const uint64_t hash = Fnv1a(absl::StrCat(recommendation_id, "\n", index, "\n", rule_id));
  // 62 bits of hash: 2 after the variant bits, then 60 (15 hex digits).
  const std::string tail = absl::StrCat(absl::Hex(hash & 0x0fffffffffffffffull, absl::kZeroPad15));
  const char variant = "89ab"[(hash >> 60) & 3];
  const std::string hex = absl::StrCat(prefix.substr(0, 12), "4", prefix.substr(12, 3),
                                       std::string(1, variant), tail);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

std::optional<std::string> RecommendationIdPrefix(absl::string_view uuid) {
  if (uuid.size() != 36 || uuid[8] != '-' || uuid[13] != '-' || uuid[18] != '-' ||
      uuid[23] != '-' || uuid[14] != '4') {
    return std::nullopt;
  }
  const std::string hex = absl::StrCat(uuid.substr(0, 8), uuid.substr(9, 4), uuid.substr(15, 3));
  if (!IsLowerHex(hex)) return std::nullopt;
  return absl::StrCat(kRecommendationPrefix, hex);
}

std::vector<IssuedCard> CardsOf(const v1::RecommendProtocolResponse& response) {
  std::vector<IssuedCard> cards;
  const std::string& id = response.recommendation_id();
  IssuedCard protocol;
  protocol.uuid = CardUuid(id, 0, kProtocolCardRule);
  protocol.rule_id = kProtocolCardRule;
  cards.push_back(std::move(protocol));
  for (int i = 0; i < response.cards_size(); ++i) {
    const v1::Card& card = response.cards(i);
    IssuedCard issued;
    issued.index = i + 1;
    issued.rule_id = card.rule_id().empty() ? absl::StrCat("card-", i + 1) : card.rule_id();
    issued.uuid = CardUuid(id, issued.index, issued.rule_id);
    issued.indicator = card.indicator();
    issued.offers_override_reasons =
        card.indicator() == v1::INDICATOR_WARNING || card.indicator() == v1::INDICATOR_CRITICAL;
    cards.push_back(std::move(issued));
  }
  return cards;
}

absl::string_view CardOutcomeName(CardOutcome outcome) {
  return outcome == CardOutcome::kOverridden ? "overridden" : "accepted";
}

}  // namespace scoliomassage::core
