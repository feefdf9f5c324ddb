// The cards and fired rules of one recommendation. Kept together so every
// card a clinician sees has its rule in the basis (FDA CDS transparency).
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

class Explanation {
 public:
  // Adds a card and fires its rule (the rule's description is the summary).
  void AddCard(v1::Indicator indicator, absl::string_view rule_id, absl::string_view summary,
               absl::string_view detail, absl::string_view source);
  // Fires a rule that needs no card of its own.
  void Fire(absl::string_view rule_id, absl::string_view description, absl::string_view source);

  const std::vector<v1::Card>& cards() const { return cards_; }
  const std::vector<v1::FiredRule>& rules() const { return rules_; }

  void MoveInto(v1::RecommendProtocolResponse* response);

 private:
  std::vector<v1::Card> cards_;
  std::vector<v1::FiredRule> rules_;
};

}  // namespace scoliomassage::core
