// The readable outputs: recommend and summary.
#include <string>

#include "cli/filter_flags.h"
#include "cli/recommend_format.h"
#include "cli/summary_format.h"
#include "gtest/gtest.h"

namespace scoliomassage::cli {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(FormatRecommendationTest, ShowsDecisionStepsCardsAndBasis) {
  v1::RecommendProtocolResponse response;
  response.set_recommendation_id("rec-9");
  response.set_decision(v1::DECISION_PROCEED_MODIFIED);
  auto* protocol = response.mutable_protocol();
  protocol->set_protocol_id("lumbar-c-curve");
  protocol->set_protocol_version(4);
  protocol->set_session_number(2);
  protocol->set_total_minutes(15);
  auto* legs = protocol->add_steps();
  legs->set_order(1);
  legs->set_body_area(v1::BODY_AREA_LEGS);
  legs->set_position(v1::POSITION_PRONE);
  legs->set_ankle_roller(true);
  legs->set_technique("stroking");
  legs->set_intensity(v1::INTENSITY_LIGHT);
  legs->set_minutes(3);
  legs->set_focus_side(v1::SIDE_BOTH);
  legs->set_goal("warm up");
  auto* back = protocol->add_steps();
  back->set_order(2);
  back->set_body_area(v1::BODY_AREA_BACK);
  back->set_spine_region(v1::SPINE_REGION_LUMBAR);
  back->set_position(v1::POSITION_SIDE_LYING);
  back->set_technique("kneading");
  back->set_intensity(v1::INTENSITY_MODERATE);
  back->set_minutes(12);
  back->set_focus_side(v1::SIDE_LEFT);
  back->set_goal("relax the concave side");
  back->add_muscles("quadratus lumborum");
  auto* card = response.add_cards();
  card->set_summary("Pregnancy: side-lying instead of prone");
  card->set_indicator(v1::INDICATOR_WARNING);
  card->set_source("clinical.md#modifiers");
  auto* basis = response.mutable_basis();
  basis->set_summary("Session 2 from history.");
  basis->set_session_number(2);
  basis->set_session_number_source("history");
  basis->set_progression("advance");
  auto* rule = basis->add_rules();
  rule->set_rule_id("modifier.pregnancy");
  rule->set_description("no prone position");
  rule->set_source("clinical.md");

  const std::string out = FormatRecommendation(response);
  EXPECT_EQ(out.rfind("Decision: PROCEED_MODIFIED\n", 0), 0u) << out;
  for (const char* part :
       {"rec-9", "lumbar-c-curve v4", "Session 2, 15 minutes", "legs", "prone", "ankle roller",
        "stroking", "light", "warm up", "back (lumbar)", "side_lying", "kneading", "moderate",
        "left", "relax the concave side", "quadratus lumborum",
        "[WARNING] Pregnancy: side-lying instead of prone", "Source: clinical.md#modifiers",
        "Basis:", "Session 2 from history.", "(from history)", "Progression: advance",
        "modifier.pregnancy: no prone position (clinical.md)"}) {
    EXPECT_TRUE(Contains(out, part)) << "missing \"" << part << "\" in:\n" << out;
  }
  // Steps appear in order, cards after steps, basis last.
  EXPECT_LT(out.find("stroking"), out.find("kneading"));
  EXPECT_LT(out.find("kneading"), out.find("Cards:"));
  EXPECT_LT(out.find("Cards:"), out.find("Basis:"));
}

TEST(FormatRecommendationTest, ReferHasNoSteps) {
  v1::RecommendProtocolResponse response;
  response.set_decision(v1::DECISION_REFER);
  auto* card = response.add_cards();
  card->set_summary("Red flag: refer to a physician");
  card->set_indicator(v1::INDICATOR_CRITICAL);
  const std::string out = FormatRecommendation(response);
  EXPECT_TRUE(Contains(out, "Decision: REFER")) << out;
  EXPECT_TRUE(Contains(out, "No massage today")) << out;
  EXPECT_TRUE(Contains(out, "[CRITICAL] Red flag")) << out;
  EXPECT_FALSE(Contains(out, "Steps:")) << out;
}

TEST(FormatSummaryTableTest, OneColumnPerDimensionThenMeasures) {
  v1::SummarizeOutcomesResponse response;
  auto* group = response.add_groups();
  group->set_key("lumbar-c-curve|2026-03");
  (*group->mutable_key_parts())["protocol"] = "lumbar-c-curve";
  (*group->mutable_key_parts())["month"] = "2026-03";
  group->set_session_count(12);
  group->set_mean_pain_before(6.5);
  group->set_mean_pain_after(3.25);
  group->set_mean_pain_relief(3.25);
  group->set_within_session_relief_rate(0.75);
  group->set_adverse_event_rate(1.0 / 12);
  group->set_episode_patient_count(3);
  group->set_episode_responder_rate(2.0 / 3);
  // Only the joined key: the table falls back to splitting it.
  auto* other = response.add_groups();
  other->set_key("thoracic-s-curve|2026-04");
  other->set_session_count(1);

  const std::string out =
      FormatSummaryTable(response, {v1::GROUP_BY_PROTOCOL, v1::GROUP_BY_MONTH});
  const std::string header = out.substr(0, out.find('\n'));
  EXPECT_EQ(header.rfind("protocol", 0), 0u) << out;
  EXPECT_LT(header.find("month"), header.find("sessions")) << out;
  for (const char* part : {"lumbar-c-curve", "2026-03", "12", "6.50", "3.25", "75.0%", "8.3%",
                           "66.7%", "within-session relief", "episode responders",
                           "thoracic-s-curve", "2026-04", "n/a"}) {
    EXPECT_TRUE(Contains(out, part)) << "missing \"" << part << "\" in:\n" << out;
  }
}

TEST(FormatSummaryTableTest, NoGroupingAndNoRows) {
  v1::SummarizeOutcomesResponse response;
  auto* all = response.add_groups();
  all->set_session_count(2);
  const std::string out = FormatSummaryTable(response, {});
  EXPECT_EQ(out.rfind("group", 0), 0u) << out;
  EXPECT_TRUE(Contains(out, "\nall ")) << out;

  const std::string empty = FormatSummaryTable(v1::SummarizeOutcomesResponse(), {});
  EXPECT_TRUE(Contains(empty, "no outcomes match")) << empty;
}

TEST(FormatSummaryTableTest, CdsFeedbackByRuleAndReason) {
  v1::SummarizeOutcomesResponse response;
  response.add_groups()->set_session_count(2);
  EXPECT_FALSE(Contains(FormatSummaryTable(response, {}), "feedback")) << "no feedback, no table";
  auto* rule = response.add_feedback_by_rule();
  rule->set_rule_id("screening.pregnancy");
  rule->set_feedback_count(4);
  rule->set_accepted_count(1);
  rule->set_overridden_count(3);
  rule->set_override_rate(0.75);
  auto* reason = response.add_overrides_by_reason();
  reason->set_reason_system("urn:scoliomassage:override-reason");
  reason->set_reason_code("physician-cleared");
  reason->set_overridden_count(2);
  reason->set_share_of_overrides(2.0 / 3);
  response.add_overrides_by_reason()->set_overridden_count(1);
  const std::string out = FormatSummaryTable(response, {});
  for (const char* part : {"CDS card feedback by rule", "screening.pregnancy", "75.0%",
                           "Overrides by reason", "physician-cleared", "66.7%", "(none given)"}) {
    EXPECT_TRUE(Contains(out, part)) << "missing \"" << part << "\" in:\n" << out;
  }
}

TEST(FormatSummaryTableTest, SuppressedGroupsSaySoAndShowNoZeros) {
  v1::SummarizeOutcomesResponse response;
  auto* shown = response.add_groups();
  shown->set_key("t-six");
  (*shown->mutable_key_parts())["therapist"] = "t-six";
  shown->set_session_count(6);
  auto* hidden = response.add_groups();
  hidden->set_key("t-four");
  (*hidden->mutable_key_parts())["therapist"] = "t-four";
  hidden->set_suppressed(true);
  auto* rule = response.add_feedback_by_rule();
  rule->set_rule_id("screening.fever");
  rule->set_suppressed(true);
  const std::string out = FormatSummaryTable(response, {v1::GROUP_BY_THERAPIST});
  auto line_with = [&](const std::string& part) {
    std::string line;
    for (size_t at = out.find(part); at != std::string::npos && at < out.size() && out[at] != '\n';
         ++at) {
      line += out[at];
    }
    return line;
  };
  const std::string row = line_with("t-four");
  EXPECT_TRUE(Contains(row, "suppressed")) << out;
  EXPECT_FALSE(Contains(row, "0")) << "a suppressed group prints no zero: " << row;
  EXPECT_TRUE(Contains(line_with("t-six"), "6")) << out;
  EXPECT_TRUE(Contains(line_with("screening.fever"), "suppressed")) << out;
}

TEST(FormatSummaryTableTest, CurveRegionSummarizesFilms) {
  auto group_by = ParseGroupBy("curve_region");
  ASSERT_TRUE(group_by.ok()) << group_by.status();
  ASSERT_EQ(*group_by, std::vector<v1::GroupBy>{v1::GROUP_BY_CURVE_REGION});
  v1::SummarizeOutcomesResponse response;
  auto* group = response.add_groups();
  (*group->mutable_key_parts())["curve_region"] = "SPINE_REGION_THORACIC";
  group->set_film_count(7);
  group->set_mean_cobb_angle_degrees(24.57);
  group->set_patient_count(3);
  group->set_progressed_patient_count(1);
  const std::string out = FormatSummaryTable(response, *group_by);
  for (const char* part : {"curve_region", "films", "true progression", "SPINE_REGION_THORACIC",
                           "24.6"}) {
    EXPECT_TRUE(Contains(out, part)) << "missing \"" << part << "\" in:\n" << out;
  }
}

}  // namespace
}  // namespace scoliomassage::cli
