#include "core/explanation.h"

#include <string>
#include <utility>

namespace scoliomassage::core {

void Explanation::AddCard(v1::Indicator indicator, absl::string_view rule_id,
                          absl::string_view summary, absl::string_view detail,
                          absl::string_view source) {
  v1::Card card;
  card.set_summary(std::string(summary));
  card.set_detail(std::string(detail));
  card.set_indicator(indicator);
  card.set_source(std::string(source));
  card.set_rule_id(std::string(rule_id));
  cards_.push_back(std::move(card));
  Fire(rule_id, summary, source);
}

void Explanation::Fire(absl::string_view rule_id, absl::string_view description,
                       absl::string_view source) {
  v1::FiredRule rule;
  rule.set_rule_id(std::string(rule_id));
  rule.set_description(std::string(description));
  rule.set_source(std::string(source));
  rules_.push_back(std::move(rule));
}

void Explanation::MoveInto(v1::RecommendProtocolResponse* response) {
  for (auto& card : cards_) *response->add_cards() = std::move(card);
  for (auto& rule : rules_) *response->mutable_basis()->add_rules() = std::move(rule);
  cards_.clear();
  rules_.clear();
}

}  // namespace scoliomassage::core
