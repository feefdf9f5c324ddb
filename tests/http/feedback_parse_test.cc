// The CDS Hooks feedback body check (http/cds_feedback.h) and the derived
// card uuids it relies on (core/cds_cards.h).
#include <gtest/gtest.h>

#include <set>

#include "core/cds_cards.h"
#include "core/errors.h"
#include "http/cds_feedback.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

constexpr char kCard[] = "0f1e2d3c-4b5a-8697-a877-665544332211";

std::set<std::string> Fields(const absl::Status& status) {
  std::set<std::string> fields;
  for (const auto& [field, why] : core::FieldViolationsOf(status)) fields.insert(field);
  return fields;
}

json Entry(json extra = json::object()) {
  json entry = {{"card", kCard}, {"outcome", "accepted"}, {"outcomeTimestamp", "2026-11-30T10:15:00Z"}};
  entry.update(extra);
  return entry;
}

TEST(ParseFeedbackTest, AcceptedAndOverridden) {
  const json body = {{"feedback",
                      {Entry(),
                       Entry({{"card", "0F1E2D3C-4B5A-8697-A877-665544332211"},
                              {"outcome", "overridden"},
                              {"outcomeTimestamp", "2026-11-30T11:15:00.5+01:00"},
                              {"overrideReason",
                               {{"reason", {{"system", "urn:x"}, {"code", "c1"}, {"display", "C"}}},
                                {"userComment", "seen"}}},
                              {"extension", {{"x", 1}}}})}}};
  auto parsed = ParseFeedback(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].outcome, core::CardOutcome::kAccepted);
  EXPECT_EQ((*parsed)[0].outcome_time_us, int64_t{1796033700} * 1000000);
  EXPECT_EQ((*parsed)[1].card_uuid, kCard) << "uuids are compared in lowercase";
  EXPECT_EQ((*parsed)[1].outcome, core::CardOutcome::kOverridden);
  EXPECT_EQ((*parsed)[1].reason_system, "urn:x");
  EXPECT_EQ((*parsed)[1].reason_code, "c1");
  EXPECT_EQ((*parsed)[1].user_comment, "seen");
  EXPECT_EQ((*parsed)[1].outcome_time_us, (*parsed)[0].outcome_time_us + 500000);
}

TEST(ParseFeedbackTest, EveryBadFieldIsNamed) {
  const json body = {{"feedback",
                      {Entry({{"card", "not-a-uuid"}}), Entry({{"outcome", "ignored"}}),
                       json{{"card", kCard}, {"outcome", "accepted"}},
                       Entry({{"outcomeTimestamp", "2026-11-30 10:15"}}),
                       Entry({{"overrideReason", {{"reason", {{"system", "urn:x"}}}}}}),
                       Entry({{"outcome", "overridden"}, {"acceptedSuggestions", {{{"id", "s"}}}}}),
                       Entry({{"outcome", "overridden"},
                              {"overrideReason", {{"userComment", std::string(3000, 'x')}}}}),
                       "nope"}}};
  auto parsed = ParseFeedback(body);
  ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(parsed.status()),
            (std::set<std::string>{"feedback[0].card", "feedback[1].outcome",
                                   "feedback[2].outcomeTimestamp", "feedback[3].outcomeTimestamp",
                                   "feedback[4].overrideReason", "feedback[4].overrideReason.reason.code",
                                   "feedback[5].acceptedSuggestions",
                                   "feedback[6].overrideReason.userComment", "feedback[7]"}));
}

TEST(ParseFeedbackTest, TheBodyMustHoldEntries) {
  for (const json& body : {json::array(), json{{"x", 1}}, json{{"feedback", json::array()}},
                           json{{"feedback", "a"}}}) {
    EXPECT_EQ(ParseFeedback(body).status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
  json many = {{"feedback", json::array()}};
  for (size_t i = 0; i <= core::kMaxFeedbackEntries; ++i) many["feedback"].push_back(Entry());
  EXPECT_EQ(Fields(ParseFeedback(many).status()), std::set<std::string>{"feedback"});
}

TEST(CardUuidTest, DerivedStableDistinctAndTracedBack) {
  v1::RecommendProtocolResponse response;
  response.set_recommendation_id("recommendations/0123456789abcdef0123456789abcdef");
  response.add_cards()->set_rule_id("screening.pregnancy");
  response.add_cards()->set_rule_id("screening.pregnancy");  // the same rule twice
  response.mutable_cards(1)->set_indicator(v1::INDICATOR_WARNING);
  const auto cards = core::CardsOf(response);
  ASSERT_EQ(cards.size(), 3u);
  EXPECT_EQ(cards[0].rule_id, core::kProtocolCardRule);
  EXPECT_FALSE(cards[1].offers_override_reasons);
  EXPECT_TRUE(cards[2].offers_override_reasons);
  std::set<std::string> uuids;
  for (const auto& card : cards) {
    uuids.insert(card.uuid);
    ASSERT_EQ(card.uuid.size(), 36u);
    EXPECT_EQ(card.uuid[14], '4') << "the layout of a version 4 uuid";
    EXPECT_NE(std::string("89ab").find(card.uuid[19]), std::string::npos) << "RFC 9562 variant";
    EXPECT_EQ(core::RecommendationIdPrefix(card.uuid), "recommendations/0123456789abcde");
  }
  EXPECT_EQ(uuids.size(), 3u);
  EXPECT_EQ(core::CardsOf(response)[2].uuid, cards[2].uuid) << "deterministic";
  EXPECT_EQ(cards[0].uuid.substr(0, 18), "01234567-89ab-4cde");
  EXPECT_FALSE(core::RecommendationIdPrefix("0f1e2d3c-4b5a-1697-a877-665544332211"))
      << "not the layout of the uuids issued here";
  EXPECT_FALSE(core::RecommendationIdPrefix("short"));
}

}  // namespace
}  // namespace scoliomassage::http
