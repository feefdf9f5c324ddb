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

v1::Outcome LastOutcome(int minutes, int pain_before, int pain_after, int adverse_events = 0) {
  v1::Outcome outcome;
  outcome.set_name("outcomes/last");
  outcome.set_minutes(minutes);
  outcome.set_pain_before(pain_before);
  outcome.set_pain_after(pain_after);
  for (int i = 0; i < adverse_events; ++i) {
    outcome.add_adverse_events()->set_type(v1::ADVERSE_EVENT_TYPE_BRUISING);
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
  EXPECT_FALSE(dose.reason.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Dose, ProgressionTest,
    ::testing::Values(
        ProgressionCase{"AdvanceAddsFive", 5, LastOutcome(20, 5, 3), Progression::kAdvance, 25, false},
        ProgressionCase{"AdvanceStopsAtForty", 10, LastOutcome(40, 5, 2), Progression::kAdvance, 40, false},
        ProgressionCase{"EarlyAdvanceAtSessionThree", 3, LastOutcome(15, 4, 2), Progression::kAdvance, 20, false},
        ProgressionCase{"SessionTwoStaysFifteen", 2, LastOutcome(15, 4, 2), Progression::kAdvance, 15, false},
        ProgressionCase{"AdvanceFromAShortSessionStartsAtFifteen", 6, LastOutcome(5, 4, 2), Progression::kAdvance, 15, false},
        ProgressionCase{"AdvanceIsAtMostOneStepAheadOfTheLadder", 4, LastOutcome(30, 5, 3), Progression::kAdvance, 25, false},
        ProgressionCase{"HoldOnNoChange", 6, LastOutcome(25, 4, 4), Progression::kHold, 25, false},
        ProgressionCase{"HoldOnPainUpByOne", 6, LastOutcome(25, 4, 5), Progression::kHold, 25, false},
        ProgressionCase{"HoldNeverBelowFifteen", 6, LastOutcome(10, 4, 4), Progression::kHold, 15, false},
        ProgressionCase{"HoldWhenPainNotRecorded", 6, [] { v1::Outcome o; o.set_minutes(25); return o; }(),
                        Progression::kHold, 25, false},
        ProgressionCase{"StepBackOnPainUpByTwo", 7, LastOutcome(30, 3, 5), Progression::kStepBack, 25, true},
        ProgressionCase{"StepBackOnAdverseEventEvenWithRelief", 7, LastOutcome(30, 6, 2, 1), Progression::kStepBack, 25, true},
        ProgressionCase{"StepBackNeverBelowFifteen", 4, LastOutcome(15, 2, 6), Progression::kStepBack, 15, true}),
    [](const auto& info) { return std::string(info.param.name); });

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
