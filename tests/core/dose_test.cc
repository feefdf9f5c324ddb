// Session minutes: the ladder without history, progression from the last
// outcome, and splitting minutes across steps.
#include "core/dose.h"

#include <numeric>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::core {
namespace {

using ::testing::ElementsAre;

v1::Outcome LastOutcome(int minutes, int pain_before, int pain_after, int adverse_events = 0,
                        v1::Severity severity = v1::SEVERITY_MILD,
                        v1::AdverseEventType type = v1::ADVERSE_EVENT_TYPE_BRUISING) {
  v1::Outcome outcome;
  outcome.set_name("outcomes/last");
  outcome.set_minutes(minutes);
  outcome.set_pain_before(pain_before);
  outcome.set_pain_after(pain_after);
  for (int i = 0; i < adverse_events; ++i) {
    auto* event = outcome.add_adverse_events();
    event->set_type(type);
    event->set_severity(severity);
  }
  return outcome;
}

TEST(DoseLadderTest, FifteenForThreeSessionsThenFiveMoreEachUpToForty) {
  const int expected[] = {15, 15, 15, 20, 25, 30, 35, 40, 40, 40, 40, 40};
  for (int session = 1; session <= 12; ++session) {
    EXPECT_EQ(LadderMinutes(session), expected[session - 1]) << "session " << session;
    Dose dose = PlanDose(session, std::nullopt);
    EXPECT_EQ(dose.total_minutes, expected[session - 1]) << "session " << session;
    EXPECT_EQ(dose.progression, Progression::kStart);
    EXPECT_FALSE(dose.lower_intensity);
  }
  EXPECT_EQ(LadderMinutes(1000), 40);
}

struct ProgressionCase {
  const char* name;
  int session_number;
  v1::Outcome last;
  Progression progression;
  int total_minutes;
  bool lower_intensity;
  const char* rule_id;  // Basis.dose_rule: which rule decided
};
// Test names, not byte dumps, in failure messages.
void PrintTo(const ProgressionCase& test, std::ostream* out) { *out << test.name; }


class ProgressionTest : public ::testing::TestWithParam<ProgressionCase> {};

TEST_P(ProgressionTest, LearnsFromTheLastOutcome) {
  const ProgressionCase& test = GetParam();
  Dose dose = PlanDose(test.session_number, test.last);
  EXPECT_EQ(ProgressionName(dose.progression), ProgressionName(test.progression));
  EXPECT_EQ(dose.total_minutes, test.total_minutes);
  EXPECT_EQ(dose.lower_intensity, test.lower_intensity);
  EXPECT_EQ(dose.rule_id, test.rule_id);
  EXPECT_FALSE(dose.reason.empty());
}

constexpr auto kMild = v1::SEVERITY_MILD;
constexpr auto kModerate = v1::SEVERITY_MODERATE;
constexpr auto kSevere = v1::SEVERITY_SEVERE;
constexpr auto kNeuro = v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS;
constexpr auto kSoreness = v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS;

INSTANTIATE_TEST_SUITE_P(
    Dose, ProgressionTest,
    ::testing::Values(
        // Later sessions: +5 per tolerated session, whatever the relief.
        ProgressionCase{"AdvanceAddsFive", 5, LastOutcome(20, 5, 3), Progression::kAdvance, 25, false, "dose.advance_tolerated"},
        ProgressionCase{"ToleratedWithoutReliefStillAdvances", 6, LastOutcome(25, 4, 4), Progression::kAdvance, 30, false, "dose.advance_tolerated"},
        ProgressionCase{"AdvanceStopsAtForty", 10, LastOutcome(40, 5, 2), Progression::kHold, 40, false, "dose.advance_tolerated"},
        ProgressionCase{"AdvanceFromAShortSessionStartsAtFifteen", 6, LastOutcome(5, 4, 2), Progression::kAdvance, 15, false, "dose.advance_tolerated"},
        ProgressionCase{"AdvanceIsAtMostOneStepAheadOfTheLadder", 4, LastOutcome(30, 5, 3), Progression::kAdvance, 25, false, "dose.advance_tolerated"},
        // The early advance needs meaningful relief: 2 points or 30%.
        ProgressionCase{"EarlyAdvanceOnTwoPoints", 3, LastOutcome(15, 4, 2), Progression::kAdvance, 20, false, "dose.early_advance"},
        ProgressionCase{"EarlyAdvanceOnThirtyPercent", 3, LastOutcome(15, 3, 2), Progression::kAdvance, 20, false, "dose.early_advance"},
        ProgressionCase{"NoEarlyAdvanceOnOnePointFromHighPain", 3, LastOutcome(15, 8, 7), Progression::kHold, 15, false, "dose.no_early_advance"},
        ProgressionCase{"NoEarlyAdvanceWithoutChange", 3, LastOutcome(15, 4, 4), Progression::kHold, 15, false, "dose.no_early_advance"},
        ProgressionCase{"NoEarlyAdvanceAfterAMildEvent", 3, LastOutcome(15, 6, 2, 1), Progression::kHold, 15, false, "dose.hold_mild_event"},
        ProgressionCase{"SessionTwoStaysFifteen", 2, LastOutcome(15, 4, 2), Progression::kHold, 15, false, "dose.first_sessions"},
        // Hold: a MILD event or pain up by 1.
        ProgressionCase{"HoldOnPainUpByOne", 6, LastOutcome(25, 4, 5), Progression::kHold, 25, false, "dose.hold_pain_up"},
        ProgressionCase{"HoldOnAMildEventEvenWithRelief", 7, LastOutcome(30, 6, 2, 1, kMild), Progression::kHold, 30, false, "dose.hold_mild_event"},
        ProgressionCase{"HoldNeverBelowFifteen", 6, LastOutcome(10, 4, 5), Progression::kHold, 15, false, "dose.hold_pain_up"},
        ProgressionCase{"HoldWhenPainNotRecorded", 6, [] { v1::Outcome o; o.set_minutes(25); return o; }(),
                        Progression::kHold, 25, false, "dose.hold_no_pain_record"},
        // Step back: a MODERATE event or pain up by 2+; a serious event that a
        // clinician has cleared.
        ProgressionCase{"StepBackOnPainUpByTwo", 7, LastOutcome(30, 3, 5), Progression::kStepBack, 25, true, "dose.step_back_pain_up"},
        ProgressionCase{"StepBackOnAModerateEventEvenWithRelief", 7, LastOutcome(30, 6, 2, 1, kModerate, kSoreness), Progression::kStepBack, 25, true, "dose.step_back_moderate_event"},
        ProgressionCase{"StepBackOnASevereEvent", 7, LastOutcome(30, 6, 2, 1, kSevere), Progression::kStepBack, 25, true, "dose.step_back_serious_event"},
        ProgressionCase{"StepBackOnMildNeurologicalSymptoms", 7, LastOutcome(30, 6, 2, 1, kMild, kNeuro), Progression::kStepBack, 25, true, "dose.step_back_serious_event"},
        ProgressionCase{"StepBackNeverBelowFifteen", 4, LastOutcome(15, 2, 6), Progression::kStepBack, 15, true, "dose.step_back_pain_up"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MeaningfulFallTest, TwoPointsOrThirtyPercent) {
  EXPECT_TRUE(MeaningfulFall(4, 2));
  // Either threshold is enough, whatever the baseline.
  EXPECT_TRUE(MeaningfulFall(10, 8));
  EXPECT_TRUE(MeaningfulFall(8, 6));
  EXPECT_FALSE(MeaningfulFall(10, 9));
  EXPECT_TRUE(MeaningfulFall(8, 5));
  EXPECT_TRUE(MeaningfulFall(10, 7));
  EXPECT_TRUE(MeaningfulFall(7, 5));
  EXPECT_TRUE(MeaningfulFall(3, 2));   // 33%
  EXPECT_FALSE(MeaningfulFall(4, 3));  // 25%
  EXPECT_FALSE(MeaningfulFall(8, 7));
  EXPECT_FALSE(MeaningfulFall(0, 0));
  EXPECT_FALSE(MeaningfulFall(2, 3));
}

TEST(DistributeMinutesTest, LargestRemainderTiesToTheEarlierStep) {
  // Quotas 2.67, 2.67, 1.33, 2.67, 5.33, 2.67, 2.67: floors add to 16, the
  // four leftover minutes go to the 0.67 remainders in step order.
  EXPECT_THAT(DistributeMinutes({2, 2, 1, 2, 4, 2, 2}, 20), ElementsAre(3, 3, 1, 3, 5, 3, 2));
  EXPECT_THAT(DistributeMinutes({2, 2, 1, 2, 4, 2, 2}, 15), ElementsAre(2, 2, 1, 2, 4, 2, 2));
  EXPECT_THAT(DistributeMinutes({1, 1, 1}, 20), ElementsAre(7, 7, 6));
}

TEST(DistributeMinutesTest, EveryStepGetsAtLeastOneMinute) {
  EXPECT_THAT(DistributeMinutes({1, 100}, 15), ElementsAre(1, 14));
  EXPECT_THAT(DistributeMinutes({1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1000}, 15),
              ElementsAre(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
}

TEST(DistributeMinutesTest, AlwaysAddsUpToTheTotal) {
  const std::vector<std::vector<uint32_t>> weight_sets = {
      {1}, {3, 1}, {2, 2, 1, 2, 3, 2, 2, 1}, {7, 1, 1, 9, 4, 13}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
  for (const auto& weights : weight_sets) {
    for (int total = 15; total <= 40; ++total) {
      std::vector<int> minutes = DistributeMinutes(weights, total);
      ASSERT_EQ(minutes.size(), weights.size());
      EXPECT_EQ(std::accumulate(minutes.begin(), minutes.end(), 0), total);
      for (int m : minutes) EXPECT_GE(m, 1);
    }
  }
}

}  // namespace
}  // namespace scoliomassage::core
