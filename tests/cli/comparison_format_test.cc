// scoliomassage compare: flags to request, and the table people read
// (suppressed and withheld groups say so; the caveats are always printed).
#include <string>

#include "cli/comparison_format.h"
#include "gtest/gtest.h"

namespace scoliomassage::cli {
namespace {

TEST(CompareRequestTest, FlagsBecomeTheRequest) {
  CommandOptions options;
  options.filter.region = "thoracic";
  options.pattern = "s";
  options.filter.protocol = "thoracic-s-curve, thoracic-c-curve";
  options.filter.since = "2026-01-01";
  options.filter.until = "2026-04-01T00:00:00Z";
  options.compare_by = "version";
  auto request = BuildCompareRequest(options);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->spine_region(), v1::SPINE_REGION_THORACIC);
  EXPECT_EQ(request->curve_pattern(), v1::CURVE_PATTERN_S_CURVE);
  ASSERT_EQ(request->protocol_ids_size(), 2);
  EXPECT_EQ(request->protocol_ids(0), "thoracic-s-curve");
  EXPECT_EQ(request->protocol_ids(1), "thoracic-c-curve");
  EXPECT_EQ(request->start_time().seconds(), 1767225600);  // 2026-01-01T00:00:00Z
  EXPECT_EQ(request->end_time().seconds(), 1775001600);    // 2026-04-01T00:00:00Z
  EXPECT_EQ(request->compare_by(), v1::COMPARE_BY_PROTOCOL_VERSION);
}

TEST(CompareRequestTest, BadFlagsSayWhichFlag) {
  CommandOptions options;
  options.compare_by = "therapist";
  auto request = BuildCompareRequest(options);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("--by"), std::string::npos);
  options.compare_by = "protocol";
  options.pattern = "z";
  request = BuildCompareRequest(options);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("--pattern"), std::string::npos);
  options.pattern.clear();
  options.filter.since = "yesterday";
  request = BuildCompareRequest(options);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("--since"), std::string::npos);
  options.filter.since.clear();
  options.filter.patient = "p-1";
  EXPECT_FALSE(BuildCompareRequest(options).ok());
}

TEST(CompareTableTest, ShowsEstimatesWithheldAndSuppressedGroupsAndTheCaveats) {
  v1::CompareProtocolsResponse response;
  v1::ProtocolComparisonGroup* a = response.add_groups();
  a->set_group("thoracic-c-curve");
  a->set_visibility(v1::GROUP_VISIBILITY_SHOWN);
  a->set_patient_count(24);
  a->set_episode_count(24);
  a->set_session_count(96);
  a->mutable_pain_change()->set_n(24);
  a->mutable_pain_change()->set_mean(-3.125);
  a->mutable_pain_change()->mutable_ci95()->set_low(-3.5);
  a->mutable_pain_change()->mutable_ci95()->set_high(-2.75);
  a->mutable_responders()->set_successes(20);
  a->mutable_responders()->set_n(24);
  a->mutable_responders()->set_proportion(20.0 / 24);
  a->mutable_responders()->mutable_ci95()->set_low(0.64);
  a->mutable_responders()->mutable_ci95()->set_high(0.93);
  v1::ProtocolComparisonGroup* b = response.add_groups();
  b->set_group("cervical-c-curve");
  b->set_visibility(v1::GROUP_VISIBILITY_NOT_ENOUGH_DATA);
  b->set_patient_count(3);
  b->set_episode_count(3);
  v1::ProtocolComparisonGroup* c = response.add_groups();
  c->set_group("thoracic-s-curve");
  c->set_visibility(v1::GROUP_VISIBILITY_SUPPRESSED);
  response.add_caveats("Observational comparison: ... It is not a causal effect.");
  response.set_total_patient_count(30);
  response.set_total_episode_count(30);
  const std::string table = FormatComparison(response);
  EXPECT_NE(table.find("-3.12 (-3.50 to -2.75)"), std::string::npos) << table;
  EXPECT_NE(table.find("20/24 83% (64-93%)"), std::string::npos) << table;
  EXPECT_NE(table.find("not enough data (fewer than 10 episodes)"), std::string::npos) << table;
  EXPECT_NE(table.find("thoracic-s-curve  suppressed"), std::string::npos) << table;
  EXPECT_NE(table.find("Note: Observational comparison"), std::string::npos) << table;
  EXPECT_NE(table.find("Totals: 30 patients, 30 episodes"), std::string::npos) << table;
  response.set_totals_suppressed(true);
  EXPECT_NE(FormatComparison(response).find("Totals: suppressed"), std::string::npos);
}

TEST(CompareRequestTest, ByAssignedIsIntentionToTreat) {
  CommandOptions options;
  options.compare_by = "assigned";
  auto request = BuildCompareRequest(options);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->compare_by(), v1::COMPARE_BY_ASSIGNED_VARIANT);
}

TEST(CompareFormatTest, EvaluationCountsPrintSuppressedInWordsNeverZero) {
  v1::CompareProtocolsResponse response;
  response.set_compare_by(v1::COMPARE_BY_ASSIGNED_VARIANT);
  v1::ProtocolComparisonGroup* group = response.add_groups();
  group->set_group("lumbar-c-curve@1");
  group->set_visibility(v1::GROUP_VISIBILITY_NOT_ENOUGH_DATA);
  group->set_patient_count(8);
  group->set_episode_count(8);
  v1::EvaluationCounts* e = group->mutable_evaluation();
  e->mutable_assigned_a()->set_episode_count(8);
  e->mutable_received_a()->set_episode_count(6);
  e->mutable_received_b()->set_suppressed(true);
  e->mutable_overridden()->set_suppressed(true);
  e->mutable_overridden_out_of()->set_suppressed(true);
  response.mutable_episodes_not_in_evaluation()->set_suppressed(true);
  const std::string out = FormatComparison(response);
  EXPECT_NE(out.find("Protocol evaluations (episodes; grouped by assigned variant, intention to "
                     "treat)"),
            std::string::npos)
      << out;
  const size_t row = out.find("lumbar-c-curve@1", out.find("Protocol evaluations"));
  ASSERT_NE(row, std::string::npos) << out;
  const std::string line = out.substr(row, out.find('\n', row) - row);
  // A 8, B 0, received A 6, B suppressed, overridden suppressed, into 0,
  // out of suppressed, no evaluation 0.
  EXPECT_NE(line.find("8"), std::string::npos) << line;
  EXPECT_NE(line.find("6"), std::string::npos) << line;
  size_t suppressed = 0;
  for (size_t at = line.find("suppressed"); at != std::string::npos;
       at = line.find("suppressed", at + 1)) {
    ++suppressed;
  }
  EXPECT_EQ(suppressed, 3u) << line;
  EXPECT_NE(out.find("Left out, in no evaluation: suppressed episodes"), std::string::npos) << out;
}

}  // namespace
}  // namespace scoliomassage::cli
