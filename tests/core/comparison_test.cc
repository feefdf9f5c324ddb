// CompareEpisodes on a seeded set whose answers were computed by hand (see
// each comment), including withheld and suppressed groups.
#include "core/comparison.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace scoliomassage::core {
namespace {

// Group A: 10 patients, 3 sessions each, pre-session pain 6 -> 3 for 8 of
// them and 6 -> 6 for 2; 2 adverse events; age 30, Cobb 20.
// Group B: 12 patients, 2 sessions each, 5 -> 4 (a 1-point, 20% fall: not
// meaningful); no adverse events; age 40, Cobb 22.
// Group C: 3 patients, 4 sessions each.
std::vector<EpisodeRow> Seeded() {
  std::vector<EpisodeRow> rows;
  for (int i = 0; i < 10; ++i) {
    rows.push_back({"A", absl::StrCat("a", i), 3, i < 2 ? 1 : 0, 6, i < 8 ? 3 : 6, 30.0, 20.0});
  }
  for (int i = 0; i < 12; ++i) rows.push_back({"B", absl::StrCat("b", i), 2, 0, 5, 4, 40.0, 22.0});
  for (int i = 0; i < 3; ++i) rows.push_back({"C", absl::StrCat("c", i), 4, 0, 7, 2, 35.0, 30.0});
  return rows;
}

TEST(Comparison, EstimatesMatchHandComputation) {
  ComparisonResult result = CompareEpisodes(Seeded(), /*for_analytics=*/false);
  ASSERT_EQ(result.groups.size(), 3u);
  const GroupComparison& a = result.groups[0];
  EXPECT_EQ(a.group, "A");
  EXPECT_EQ(a.visibility, GroupVisibility::kShown);
  EXPECT_EQ(a.patients, 10);
  EXPECT_EQ(a.episodes, 10);
  EXPECT_EQ(a.sessions, 30);
  // Changes: 8 x -3 and 2 x 0: mean -2.4, sd sqrt(14.4 / 9) = 1.26491;
  // half-width t(0.975, 9) 2.262157 x 1.26491 / sqrt(10) = 0.904863.
  EXPECT_DOUBLE_EQ(a.pain_change.mean, -2.4);
  EXPECT_NEAR(a.pain_change.sd, 1.264911, 1e-6);
  ASSERT_TRUE(a.pain_change.ci95);
  EXPECT_NEAR(a.pain_change.ci95->low, -3.304863, 1e-5);
  EXPECT_NEAR(a.pain_change.ci95->high, -1.495137, 1e-5);
  // 8 of 10 responders; Wilson (0.4902, 0.9433).
  EXPECT_EQ(a.responders.successes, 8);
  EXPECT_EQ(a.responders.n, 10);
  EXPECT_NEAR(a.responders.ci95->low, 0.490162, 1e-5);
  EXPECT_NEAR(a.responders.ci95->high, 0.943318, 1e-5);
  // 2 events in 30 sessions: 6.67 per 100.
  EXPECT_NEAR(a.adverse_events.rate, 200.0 / 30, 1e-9);

  const GroupComparison& b = result.groups[1];
  EXPECT_EQ(b.responders.successes, 0);
  EXPECT_NEAR(b.responders.ci95->high, 0.242494, 1e-5);
  EXPECT_DOUBLE_EQ(b.adverse_events.rate, 0);
  ASSERT_TRUE(b.adverse_events.ci95);
  EXPECT_GT(b.adverse_events.ci95->high, 0);  // zero events still have an upper limit

  // C has 3 episodes: counted, estimates withheld.
  EXPECT_EQ(result.groups[2].visibility, GroupVisibility::kNotEnoughData);
  EXPECT_EQ(result.groups[2].episodes, 3);
  EXPECT_EQ(result.groups[2].pain_change.n, 0);

  // A - B: -2.4 - (-1) = -1.4; B has sd 0 so Welch's df is 9 and the
  // half-width is A's, 0.904863. Responders 0.8 - 0: Newcombe (0.4066, 0.9433).
  ASSERT_TRUE(result.pain_change_difference && result.pain_change_difference->ci95);
  EXPECT_NEAR(result.pain_change_difference->difference, -1.4, 1e-9);
  EXPECT_NEAR(result.pain_change_difference->ci95->low, -2.304863, 1e-5);
  EXPECT_NEAR(result.pain_change_difference->ci95->high, -0.495137, 1e-5);
  ASSERT_TRUE(result.responder_difference && result.responder_difference->ci95);
  EXPECT_NEAR(result.responder_difference->ci95->low, 0.406550, 1e-5);
  EXPECT_NEAR(result.responder_difference->ci95->high, 0.943318, 1e-5);

  EXPECT_EQ(result.total_patients, 25);
  EXPECT_FALSE(result.total_suppressed);
}

TEST(Comparison, CaveatsNameTheBaselineDifferences) {
  ComparisonResult result = CompareEpisodes(Seeded(), false);
  ASSERT_GE(result.caveats.size(), 1u);
  EXPECT_NE(result.caveats[0].find("not a causal effect"), std::string::npos);
  std::string all;
  for (const std::string& caveat : result.caveats) all += caveat + "\n";
  EXPECT_NE(all.find("age differed: 30.0 years in A vs 40.0 years in B"), std::string::npos) << all;
  EXPECT_NE(all.find("pre-session pain differed: 6.0/10 in A vs 5.0/10 in B"), std::string::npos) << all;
  EXPECT_EQ(all.find("Cobb"), std::string::npos) << all;  // 20 vs 22: within measurement error
}

TEST(Comparison, AnalyticsSuppressSmallGroupsAndTheirComplement) {
  ComparisonResult result = CompareEpisodes(Seeded(), /*for_analytics=*/true);
  ASSERT_EQ(result.groups.size(), 3u);
  // C has 3 patients: suppressed; A (the smallest other) goes too, so the
  // total minus B does not reveal C.
  EXPECT_EQ(result.groups[2].visibility, GroupVisibility::kSuppressed);
  EXPECT_EQ(result.groups[2].patients, 0);
  EXPECT_EQ(result.groups[2].episodes, 0);
  EXPECT_EQ(result.groups[0].visibility, GroupVisibility::kSuppressed);
  EXPECT_EQ(result.groups[0].pain_change.n, 0);
  EXPECT_EQ(result.groups[1].visibility, GroupVisibility::kShown);
  // One shown group: no difference to report.
  EXPECT_FALSE(result.pain_change_difference);
}

TEST(Comparison, SingleSessionEpisodesAreNotEvaluable) {
  std::vector<EpisodeRow> rows;
  for (int i = 0; i < 10; ++i) rows.push_back({"A", absl::StrCat("p", i), 1, 0, 6, 6, {}, {}});
  ComparisonResult result = CompareEpisodes(rows, false);
  ASSERT_EQ(result.groups.size(), 1u);
  EXPECT_EQ(result.groups[0].visibility, GroupVisibility::kShown);
  EXPECT_EQ(result.groups[0].pain_change.n, 0);
  EXPECT_EQ(result.groups[0].responders.n, 0);
  EXPECT_FALSE(result.groups[0].responders.ci95);
  EXPECT_EQ(result.groups[0].baseline_age_years.n, 0);
}

TEST(Comparison, NoEpisodesGiveNoGroups) {
  ComparisonResult result = CompareEpisodes({}, true);
  EXPECT_TRUE(result.groups.empty());
  EXPECT_FALSE(result.total_suppressed);
  EXPECT_EQ(result.caveats.size(), 1u);
}

}  // namespace
}  // namespace scoliomassage::core
