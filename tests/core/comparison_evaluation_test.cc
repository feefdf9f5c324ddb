// CompareEpisodes over a protocol evaluation, as received and by assigned
// variant (intention to treat), against counts and means computed by hand;
// and the small-cell suppression of the evaluation counts for analytics.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "core/comparison.h"

namespace scoliomassage::core {
namespace {

// Evaluation "ev" of protocol "p": variant A is version 1, B version 2.
// Every episode has two sessions with pre-session pain 6 then `latest`.
//   A->A: `kept_a` episodes assigned A and received A: 6 -> 3 (-3);
//   B->B: 12 episodes assigned B and received B:        6 -> 5 (-1);
//   A->B: `moved` episodes assigned A, overridden to B:  6 -> 6 (0), the
//         patients doing worse, as overrides often are;
//   none: 2 episodes on version 2 in no evaluation:      6 -> 4 (-2).
// Each row is what the store gives compared by version: its group is the
// version received; the evaluation names both groups.
EpisodeRow Row(const std::string& patient, int version, int latest,
               std::optional<std::pair<v1::EvaluationVariant, v1::EvaluationVariant>> variants) {
  EpisodeRow row;
  row.group = absl::StrCat("p@", version);
  row.protocol_id = "p";
  row.patient = patient;
  row.sessions = 2;
  row.pain_sessions = 2;
  row.baseline_pain = 6;
  row.latest_pain = latest;
  if (variants) {
    EvaluationRow ev;
    ev.evaluation = "ev";
    ev.assigned = variants->first;
    ev.received = variants->second;
    ev.overridden = variants->first != variants->second;
    ev.assigned_group = ev.assigned == v1::EVALUATION_VARIANT_A ? "p@1" : "p@2";
    ev.received_group = row.group;
    row.evaluation = ev;
  }
  return row;
}

std::vector<EpisodeRow> Evaluation(int kept_a, int moved) {
  constexpr auto A = v1::EVALUATION_VARIANT_A;
  constexpr auto B = v1::EVALUATION_VARIANT_B;
  std::vector<EpisodeRow> rows;
  for (int i = 0; i < kept_a; ++i) rows.push_back(Row(absl::StrCat("aa", i), 1, 3, {{A, A}}));
  for (int i = 0; i < 12; ++i) rows.push_back(Row(absl::StrCat("bb", i), 2, 5, {{B, B}}));
  for (int i = 0; i < moved; ++i) rows.push_back(Row(absl::StrCat("ab", i), 2, 6, {{A, B}}));
  for (int i = 0; i < 2; ++i) rows.push_back(Row(absl::StrCat("nn", i), 2, 4, std::nullopt));
  return rows;
}

ComparisonResult Compare(const std::vector<EpisodeRow>& rows, bool for_analytics, Grouping grouping) {
  return CompareEpisodes(rows, {}, nullptr, for_analytics, grouping);
}

void ExpectCount(const CountCell& cell, int episodes, const std::string& what) {
  EXPECT_FALSE(cell.suppressed) << what;
  EXPECT_EQ(cell.episodes, episodes) << what;
}

void ExpectSuppressed(const CountCell& cell, const std::string& what) {
  EXPECT_TRUE(cell.suppressed) << what;
  EXPECT_EQ(cell.episodes, 0) << what << ": a suppressed count carries no number";
}

bool Mentions(const ComparisonResult& result, const std::string& words) {
  for (const std::string& caveat : result.caveats) {
    if (caveat.find(words) != std::string::npos) return true;
  }
  return false;
}

TEST(ComparisonEvaluation, AsReceivedCountsTheOverriddenInTheVariantTheyReceived) {
  ComparisonResult result = Compare(Evaluation(12, 6), false, Grouping::kAsReceived);
  ASSERT_EQ(result.groups.size(), 2u);
  const GroupComparison& v1 = result.groups[0];
  const GroupComparison& v2 = result.groups[1];
  ASSERT_EQ(v1.group, "p@1");
  ASSERT_EQ(v2.group, "p@2");
  // p@1: the 12 A->A episodes, all -3.
  EXPECT_EQ(v1.episodes, 12);
  EXPECT_DOUBLE_EQ(v1.pain_change.mean, -3);
  // p@2: 12 x -1, 6 x 0 and 2 x -2 = -16 over 20 episodes: -0.8.
  EXPECT_EQ(v2.episodes, 20);
  EXPECT_DOUBLE_EQ(v2.pain_change.mean, -0.8);
  ASSERT_TRUE(result.pain_change_difference);
  EXPECT_NEAR(result.pain_change_difference->difference, -2.2, 1e-12);

  ASSERT_TRUE(v1.evaluation && v2.evaluation);
  const EvaluationCounts& e1 = *v1.evaluation;
  EXPECT_EQ(e1.evaluations, std::vector<std::string>{"ev"});
  ExpectCount(e1.assigned_a, 12, "p@1 assigned A");
  ExpectCount(e1.assigned_b, 0, "p@1 assigned B");
  ExpectCount(e1.received_a, 12, "p@1 received A");
  ExpectCount(e1.received_b, 0, "p@1 received B");
  ExpectCount(e1.overridden, 0, "p@1 overridden");
  ExpectCount(e1.overridden_into, 0, "p@1 into");
  ExpectCount(e1.overridden_out_of, 6, "p@1 out of: assigned A, received B");
  ExpectCount(e1.not_in_evaluation, 0, "p@1 in no evaluation");
  const EvaluationCounts& e2 = *v2.evaluation;
  ExpectCount(e2.assigned_a, 6, "p@2 assigned A");
  ExpectCount(e2.assigned_b, 12, "p@2 assigned B");
  ExpectCount(e2.received_a, 0, "p@2 received A");
  ExpectCount(e2.received_b, 18, "p@2 received B");
  ExpectCount(e2.overridden, 6, "p@2 overridden");
  ExpectCount(e2.overridden_into, 6, "p@2 into");
  ExpectCount(e2.overridden_out_of, 0, "p@2 out of");
  ExpectCount(e2.not_in_evaluation, 2, "p@2 in no evaluation");
  EXPECT_FALSE(result.not_in_evaluation);
  EXPECT_EQ(result.total_episodes, 32);

  EXPECT_NE(result.caveats[0].find("not a causal effect"), std::string::npos);
  EXPECT_TRUE(Mentions(result, "not concealed randomisation"));
  EXPECT_TRUE(Mentions(result, "overrides can bias this comparison"));
}

TEST(ComparisonEvaluation, ByAssignedVariantKeepsEveryEpisodeInTheVariantAssigned) {
  ComparisonResult result = Compare(Evaluation(12, 6), false, Grouping::kAssignedVariant);
  ASSERT_EQ(result.groups.size(), 2u);
  const GroupComparison& v1 = result.groups[0];
  const GroupComparison& v2 = result.groups[1];
  ASSERT_EQ(v1.group, "p@1");
  ASSERT_EQ(v2.group, "p@2");
  // p@1: 12 x -3 and the 6 overridden x 0 = -36 / 18 = -2; squared
  // deviations 12 x 1 + 6 x 4 = 36, sd sqrt(36 / 17) = 1.455214.
  EXPECT_EQ(v1.episodes, 18);
  EXPECT_DOUBLE_EQ(v1.pain_change.mean, -2);
  EXPECT_NEAR(v1.pain_change.sd, 1.455214, 1e-6);
  // p@2: the 12 B->B only, all -1; the 2 in no evaluation are left out.
  EXPECT_EQ(v2.episodes, 12);
  EXPECT_DOUBLE_EQ(v2.pain_change.mean, -1);
  ASSERT_TRUE(result.pain_change_difference);
  // -2 - (-1) = -1: half the as-received -2.2, which the overrides inflated.
  EXPECT_NEAR(result.pain_change_difference->difference, -1.0, 1e-12);

  ASSERT_TRUE(v1.evaluation && v2.evaluation);
  const EvaluationCounts& e1 = *v1.evaluation;
  ExpectCount(e1.assigned_a, 18, "p@1 assigned A");
  ExpectCount(e1.assigned_b, 0, "p@1 assigned B");
  ExpectCount(e1.received_a, 12, "p@1 received A");
  ExpectCount(e1.received_b, 6, "p@1 received B");
  ExpectCount(e1.overridden, 6, "p@1 overridden");
  ExpectCount(e1.overridden_into, 0, "p@1 into");
  ExpectCount(e1.overridden_out_of, 6, "p@1 out of: they received B");
  ExpectCount(e1.not_in_evaluation, 0, "p@1 in no evaluation");
  const EvaluationCounts& e2 = *v2.evaluation;
  ExpectCount(e2.assigned_b, 12, "p@2 assigned B");
  ExpectCount(e2.received_b, 12, "p@2 received B");
  ExpectCount(e2.overridden, 0, "p@2 overridden");
  ExpectCount(e2.overridden_into, 6, "p@2 into: received B, assigned A");
  ExpectCount(e2.not_in_evaluation, 0, "p@2 in no evaluation");
  ASSERT_TRUE(result.not_in_evaluation);
  ExpectCount(*result.not_in_evaluation, 2, "left out");
  EXPECT_EQ(result.total_episodes, 30);
  EXPECT_EQ(result.total_patients, 30);
  EXPECT_TRUE(Mentions(result, "intention to treat"));
  EXPECT_TRUE(Mentions(result, "not concealed randomisation"));
}

TEST(ComparisonEvaluation, WithoutEvaluationsNothingIsAddedAsReceived) {
  std::vector<EpisodeRow> rows;
  for (int i = 0; i < 12; ++i) rows.push_back(Row(absl::StrCat("n", i), 2, 4, std::nullopt));
  ComparisonResult result = Compare(rows, false, Grouping::kAsReceived);
  ASSERT_EQ(result.groups.size(), 1u);
  EXPECT_FALSE(result.groups[0].evaluation);
  EXPECT_EQ(result.caveats.size(), 1u);
  // By assigned variant every row is in no evaluation: no group, all left out.
  ComparisonResult itt = Compare(rows, false, Grouping::kAssignedVariant);
  EXPECT_TRUE(itt.groups.empty());
  ASSERT_TRUE(itt.not_in_evaluation);
  ExpectCount(*itt.not_in_evaluation, 12, "left out");
  EXPECT_TRUE(Mentions(itt, "intention to treat"));
}

// 3 overridden: small cells. As received, p@2 holds 12 B->B, 3 A->B and 2
// in no evaluation (17 patients, shown); p@1 the 12 A->A.
TEST(ComparisonEvaluation, AnalyticsSuppressTheSmallCountsAndTheirComplements) {
  ComparisonResult admin = Compare(Evaluation(12, 3), false, Grouping::kAsReceived);
  ASSERT_EQ(admin.groups.size(), 2u);
  ExpectCount(admin.groups[1].evaluation->overridden_into, 3, "admin sees every count");
  ExpectCount(admin.groups[1].evaluation->not_in_evaluation, 2, "admin sees every count");

  ComparisonResult result = Compare(Evaluation(12, 3), true, Grouping::kAsReceived);
  ASSERT_EQ(result.groups.size(), 2u);
  ASSERT_EQ(result.groups[1].visibility, GroupVisibility::kShown);
  const EvaluationCounts& e1 = *result.groups[0].evaluation;
  ExpectCount(e1.assigned_a, 12, "p@1 assigned A");
  ExpectCount(e1.received_a, 12, "p@1 received A");
  // The same 3 episodes as p@2's "overridden into".
  ExpectSuppressed(e1.overridden_out_of, "p@1 out of (3)");
  const EvaluationCounts& e2 = *result.groups[1].evaluation;
  ExpectSuppressed(e2.assigned_a, "p@2 assigned A (3)");
  ExpectSuppressed(e2.not_in_evaluation, "p@2 in no evaluation (2)");
  // Assigned: A and "no evaluation" both hidden, so B (12) gives neither away.
  ExpectCount(e2.assigned_b, 12, "p@2 assigned B");
  // Received: only "no evaluation" is small; 17 - B would reveal it, so B
  // (15) is hidden as its complement. A is a true 0.
  ExpectSuppressed(e2.received_b, "p@2 received B (15, complement)");
  ExpectCount(e2.received_a, 0, "p@2 received A");
  ExpectSuppressed(e2.overridden, "p@2 overridden (3)");
  ExpectSuppressed(e2.overridden_into, "p@2 into (3)");
  ExpectCount(e2.overridden_out_of, 0, "p@2 out of");
  // The group's own counts stay: 17 patients.
  EXPECT_EQ(result.groups[1].episodes, 17);
}

TEST(ComparisonEvaluation, AnalyticsHideASmallLeftOutCountAndTheTotalItFollowsFrom) {
  ComparisonResult result = Compare(Evaluation(12, 6), true, Grouping::kAssignedVariant);
  ASSERT_TRUE(result.not_in_evaluation);
  ExpectSuppressed(*result.not_in_evaluation, "2 left out");
  // The same request as received shows the whole total: this one would
  // give the 2 away by subtraction.
  EXPECT_TRUE(result.total_suppressed);
  EXPECT_EQ(result.total_episodes, 0);
  // The groups themselves are large and shown.
  ASSERT_EQ(result.groups.size(), 2u);
  EXPECT_EQ(result.groups[0].visibility, GroupVisibility::kShown);
  ExpectCount(result.groups[0].evaluation->overridden, 6, "6 overridden");
}

TEST(ComparisonEvaluation, ASuppressedGroupHidesTheCountsOtherGroupsShareWithIt) {
  // 3 A->A only: p@1 has 3 patients and is suppressed, with q@1 (6
  // patients, in no evaluation) as its complement. p@2 (12 B->B, 6 A->B,
  // 2 none) is shown; its "overridden into" (6) is not small, but p@1's
  // hidden "out of" is the same 6 episodes: hidden together.
  std::vector<EpisodeRow> rows = Evaluation(3, 6);
  for (int i = 0; i < 6; ++i) {
    EpisodeRow q = Row(absl::StrCat("q", i), 1, 4, std::nullopt);
    q.group = "q@1";
    q.protocol_id = "q";
    rows.push_back(q);
  }
  ComparisonResult result = Compare(rows, true, Grouping::kAsReceived);
  ASSERT_EQ(result.groups.size(), 3u);
  EXPECT_EQ(result.groups[0].visibility, GroupVisibility::kSuppressed);
  EXPECT_FALSE(result.groups[0].evaluation);
  ASSERT_EQ(result.groups[1].visibility, GroupVisibility::kShown);
  ASSERT_TRUE(result.groups[1].evaluation);
  const EvaluationCounts& e2 = *result.groups[1].evaluation;
  ExpectSuppressed(e2.overridden_into, "p@2 into, shared with suppressed p@1");
  ExpectSuppressed(e2.assigned_a, "p@2 assigned A: the same 6 episodes");
}

}  // namespace
}  // namespace scoliomassage::core
