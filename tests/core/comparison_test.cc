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
// Every session recorded pain; the group is its protocol.
EpisodeRow Row(const std::string& group, const std::string& patient, int sessions,
               int adverse_events, int baseline, int latest, std::optional<double> age,
               std::optional<double> cobb) {
  EpisodeRow row;
  row.group = group;
  row.protocol_id = group;
  row.patient = patient;
  row.sessions = sessions;
  row.pain_sessions = sessions;
  row.adverse_events = adverse_events;
  row.baseline_pain = baseline;
  row.latest_pain = latest;
  row.age_years = age;
  row.baseline_cobb_degrees = cobb;
  return row;
}

std::vector<EpisodeRow> Seeded() {
  std::vector<EpisodeRow> rows;
  for (int i = 0; i < 10; ++i) {
    rows.push_back(Row("A", absl::StrCat("a", i), 3, i < 2 ? 1 : 0, 6, i < 8 ? 3 : 6, 30.0, 20.0));
  }
  for (int i = 0; i < 12; ++i) rows.push_back(Row("B", absl::StrCat("b", i), 2, 0, 5, 4, 40.0, 22.0));
  for (int i = 0; i < 3; ++i) rows.push_back(Row("C", absl::StrCat("c", i), 4, 0, 7, 2, 35.0, 30.0));
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
  for (int i = 0; i < 10; ++i) rows.push_back(Row("A", absl::StrCat("p", i), 1, 0, 6, 6, {}, {}));
  ComparisonResult result = CompareEpisodes(rows, false);
  ASSERT_EQ(result.groups.size(), 1u);
  EXPECT_EQ(result.groups[0].visibility, GroupVisibility::kShown);
  EXPECT_EQ(result.groups[0].pain_change.n, 0);
  EXPECT_EQ(result.groups[0].responders.n, 0);
  EXPECT_FALSE(result.groups[0].responders.ci95);
  EXPECT_EQ(result.groups[0].baseline_age_years.n, 0);
}

// A questionnaire like the ODI: lower is better, meaningful at 10 points or
// 30% of baseline.
v1::Instrument TestInstrument() {
  v1::Instrument instrument;
  instrument.set_id("odi");
  instrument.set_direction(v1::CHANGE_DIRECTION_LOWER_IS_BETTER);
  v1::InstrumentDomain* domain = instrument.add_domains();
  domain->set_id("total");
  domain->mutable_meaningful_change()->set_points(10);
  domain->mutable_meaningful_change()->set_fraction_of_baseline(0.3);
  domain->mutable_meaningful_change()->set_source("Ostelo RW, et al. Spine. 2008;33:90-94.");
  return instrument;
}

// Group A: ODI 40 -> 24 in 6 episodes (meaningful), 40 -> 36 in 4 (a 4-point
// fall, under both 10 points and 12 = 30% of 40); one more episode has a
// single ODI (no change) and one an instrument that is not loaded.
// Group B: no questionnaires.
std::vector<EpisodeRow> WithQuestionnaires() {
  std::vector<EpisodeRow> rows = Seeded();
  for (int i = 0; i < 10; ++i) {
    rows[i].scores.push_back({"odi", "total", 40, i < 6 ? 24.0 : 36.0, 2});
  }
  rows[10].group = "A";  // moved from B: an eleventh A episode
  rows[10].protocol_id = "A";
  rows[10].scores.push_back({"odi", "total", 50, 50, 1});
  rows[11].group = "A";
  rows[11].protocol_id = "A";
  rows[11].scores.push_back({"xyz", "total", 3, 1, 3});
  return rows;
}

std::vector<FeedbackCountRow> Feedback() {
  return {
      {"A", false, "", "", 15},
      {"A", true, "urn:reasons", "r1", 2},
      {"A", true, "urn:reasons", "r2", 1},
      {"A", true, "urn:reasons", "r3", 1},
      {"A", true, "", "", 1},  // overridden without a reason
      {"B", false, "", "", 8},
      {"other", true, "urn:reasons", "r1", 4},  // a protocol not compared
  };
}

TEST(Comparison, QuestionnaireChangeByTheInstrumentsThreshold) {
  const v1::Instrument odi = TestInstrument();
  InstrumentLookup lookup = [&](const std::string& id) -> const v1::Instrument* {
    return id == "odi" ? &odi : nullptr;
  };
  ComparisonResult result = CompareEpisodes(WithQuestionnaires(), Feedback(), lookup, false);
  ASSERT_EQ(result.groups.size(), 3u);
  const GroupComparison& a = result.groups[0];
  ASSERT_EQ(a.questionnaires.size(), 2u);
  const QuestionnaireComparison& q = a.questionnaires[0];
  EXPECT_EQ(q.instrument_id, "odi");
  EXPECT_EQ(q.domain, "total");
  // Changes 6 x -16 and 4 x -4: mean -11.2; squares 6 x 4.8^2 + 4 x 7.2^2 =
  // 345.6, sd sqrt(345.6 / 9) = 6.196773; half-width 2.262157 x 6.196773 /
  // sqrt(10) = 4.432906.
  EXPECT_EQ(q.change.n, 10);
  EXPECT_NEAR(q.change.mean, -11.2, 1e-9);
  EXPECT_NEAR(q.change.sd, 6.196773, 1e-6);
  ASSERT_TRUE(q.change.ci95);
  EXPECT_NEAR(q.change.ci95->low, -15.632906, 1e-5);
  EXPECT_NEAR(q.change.ci95->high, -6.767094, 1e-5);
  // 6 of 10 meaningful: Wilson (0.312671, 0.831821).
  ASSERT_TRUE(q.meaningful);
  EXPECT_EQ(q.meaningful->successes, 6);
  EXPECT_EQ(q.meaningful->n, 10);
  EXPECT_NEAR(q.meaningful->ci95->low, 0.312671, 1e-5);
  EXPECT_NEAR(q.meaningful->ci95->high, 0.831821, 1e-5);
  EXPECT_EQ(q.direction, v1::CHANGE_DIRECTION_LOWER_IS_BETTER);
  EXPECT_EQ(q.threshold, "10 points or 30% of baseline");
  EXPECT_NE(q.source.find("Ostelo"), std::string::npos);
  // One episode of an unknown instrument: a change, no interval, never
  // called meaningful.
  const QuestionnaireComparison& unknown = a.questionnaires[1];
  EXPECT_EQ(unknown.instrument_id, "xyz");
  EXPECT_EQ(unknown.change.n, 1);
  EXPECT_DOUBLE_EQ(unknown.change.mean, -2);
  EXPECT_FALSE(unknown.change.ci95);
  EXPECT_FALSE(unknown.meaningful);
  EXPECT_TRUE(result.groups[1].questionnaires.empty());
}

TEST(Comparison, OverrideRateAndTopReasonsPerProtocol) {
  ComparisonResult result = CompareEpisodes(Seeded(), Feedback(), nullptr, false);
  const GroupComparison& a = result.groups[0];
  // 5 of 20 overridden: Wilson (0.111862, 0.468701).
  EXPECT_EQ(a.cds_overrides.successes, 5);
  EXPECT_EQ(a.cds_overrides.n, 20);
  ASSERT_TRUE(a.cds_overrides.ci95);
  EXPECT_NEAR(a.cds_overrides.ci95->low, 0.111862, 1e-5);
  EXPECT_NEAR(a.cds_overrides.ci95->high, 0.468701, 1e-5);
  // r1 twice, then the ties of one in code order ("" before "urn:..."); r3 is
  // the fourth and left out.
  ASSERT_EQ(a.top_override_reasons.size(), 3u);
  EXPECT_EQ(a.top_override_reasons[0].reason_code, "r1");
  EXPECT_EQ(a.top_override_reasons[0].count, 2);
  EXPECT_DOUBLE_EQ(a.top_override_reasons[0].share, 0.4);
  EXPECT_EQ(a.top_override_reasons[1].reason_code, "");
  EXPECT_EQ(a.top_override_reasons[2].reason_code, "r2");
  // B: 8 accepted, none overridden: 0 with the Wilson upper limit
  // z^2 / (n + z^2) = 3.841459 / 11.841459 = 0.324405.
  const GroupComparison& b = result.groups[1];
  EXPECT_EQ(b.cds_overrides.successes, 0);
  EXPECT_EQ(b.cds_overrides.n, 8);
  EXPECT_DOUBLE_EQ(b.cds_overrides.ci95->low, 0);
  EXPECT_NEAR(b.cds_overrides.ci95->high, 0.324405, 1e-5);
  EXPECT_TRUE(b.top_override_reasons.empty());
  // C (withheld) shows no feedback; without feedback at all there is no interval.
  EXPECT_EQ(result.groups[2].cds_overrides.n, 0);
  ComparisonResult none = CompareEpisodes(Seeded(), {}, nullptr, false);
  EXPECT_EQ(none.groups[0].cds_overrides.n, 0);
  EXPECT_FALSE(none.groups[0].cds_overrides.ci95);
}

TEST(Comparison, PainChangeNeedsTwoSessionsWithPain) {
  std::vector<EpisodeRow> rows = Seeded();
  for (int i = 0; i < 10; ++i) rows[i].pain_sessions = 1;  // three sessions, one pain score
  ComparisonResult result = CompareEpisodes(rows, false);
  EXPECT_EQ(result.groups[0].pain_change.n, 0);
  EXPECT_EQ(result.groups[0].responders.n, 0);
}

TEST(Comparison, SuppressedGroupsShowNoQuestionnairesOrFeedback) {
  ComparisonResult result = CompareEpisodes(Seeded(), Feedback(), nullptr, true);
  EXPECT_EQ(result.groups[0].visibility, GroupVisibility::kSuppressed);
  EXPECT_EQ(result.groups[0].cds_overrides.n, 0);
  EXPECT_TRUE(result.groups[0].top_override_reasons.empty());
}

TEST(Comparison, NoEpisodesGiveNoGroups) {
  ComparisonResult result = CompareEpisodes({}, true);
  EXPECT_TRUE(result.groups.empty());
  EXPECT_FALSE(result.total_suppressed);
  EXPECT_EQ(result.caveats.size(), 1u);
}

}  // namespace
}  // namespace scoliomassage::core
