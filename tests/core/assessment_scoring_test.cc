// Scoring, meaningful change, episode results and the check-in card, against
// values computed by hand from the published scoring rules. The instruments
// are the shipped definitions, loaded from their files, so a wrong file is
// caught here too.
#include <map>
#include <string>
#include <vector>

#include "catalog/instrument_loader.h"
#include "core/assessment_change.h"
#include "core/assessment_scoring.h"
#include "core/episode_result.h"
#include "core/errors.h"
#include "core/meaningful_change.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::core {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const catalog::Instruments& Shipped() {
  static const std::shared_ptr<const catalog::Instruments> instruments = [] {
    auto loaded = catalog::LoadInstruments(catalog::kSourceInstrumentsDir);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? *loaded : nullptr;
  }();
  return *instruments;
}

const v1::Instrument& Get(const std::string& id) {
  const v1::Instrument* instrument = Shipped().FindById(id);
  EXPECT_NE(instrument, nullptr) << id;
  return *instrument;
}

google::protobuf::RepeatedPtrField<v1::Answer> Answers(const std::map<int, int>& values) {
  google::protobuf::RepeatedPtrField<v1::Answer> answers;
  for (const auto& [item, value] : values) {
    v1::Answer* answer = answers.Add();
    answer->set_item(std::to_string(item));
    answer->set_value(value);
  }
  return answers;
}

std::map<std::string, v1::AssessmentScore> ByDomain(const std::vector<v1::AssessmentScore>& scores) {
  std::map<std::string, v1::AssessmentScore> by_domain;
  for (const v1::AssessmentScore& score : scores) by_domain[score.domain()] = score;
  return by_domain;
}

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const auto& [field, description] : FieldViolationsOf(status)) fields.push_back(field);
  return fields;
}

TEST(AssessmentScoringTest, ShipsTheFiveInstruments) {
  std::vector<std::string> ids;
  for (const v1::Instrument& instrument : Shipped().instruments()) ids.push_back(instrument.id());
  EXPECT_THAT(ids, UnorderedElementsAre("nrs", "odi", "ndi", "srs22r", "psfs"));
  EXPECT_EQ(Get("nrs").code(), "72514-3");
}

TEST(AssessmentScoringTest, OdiCompleteIsSumOverFiftyTimesHundred) {
  // 4+4+4+4+4+0+0+0+0+0 = 20; 20 / 50 x 100 = 40.
  auto scores = ScoreAssessment(
      Get("odi"), Answers({{1, 4}, {2, 4}, {3, 4}, {4, 4}, {5, 4}, {6, 0}, {7, 0}, {8, 0}, {9, 0}, {10, 0}}),
      "assessment.");
  ASSERT_TRUE(scores.ok()) << scores.status();
  ASSERT_EQ(scores->size(), 1u);
  EXPECT_EQ((*scores)[0].domain(), "total");
  EXPECT_TRUE((*scores)[0].scoreable());
  EXPECT_DOUBLE_EQ((*scores)[0].value(), 40.0);
  EXPECT_EQ((*scores)[0].answered_items(), 10);
}

TEST(AssessmentScoringTest, OdiOneMissingSectionIsRescaledToTheSectionsAnswered) {
  // Nine sections answered, sum 11: 11 / 45 x 100 = 24.444...
  auto scores = ScoreAssessment(
      Get("odi"), Answers({{1, 2}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {7, 1}, {8, 1}, {9, 2}}),
      "assessment.");
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_TRUE((*scores)[0].scoreable());
  EXPECT_NEAR((*scores)[0].value(), 1100.0 / 45.0, 1e-9);
}

TEST(AssessmentScoringTest, OdiTwoMissingSectionsIsUnscoreableNotZero) {
  auto scores = ScoreAssessment(
      Get("odi"), Answers({{1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {7, 0}, {8, 0}}),
      "assessment.");
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_FALSE((*scores)[0].scoreable());
  EXPECT_THAT((*scores)[0].reason(), HasSubstr("8 of 10"));
  EXPECT_THAT((*scores)[0].reason(), HasSubstr("needs 9"));
}

TEST(AssessmentScoringTest, NdiIsTheSumAndNeedsEveryItem) {
  // 3+2+1+0+5+4+3+2+1+0 = 21 (of 50).
  auto complete = ScoreAssessment(
      Get("ndi"), Answers({{1, 3}, {2, 2}, {3, 1}, {4, 0}, {5, 5}, {6, 4}, {7, 3}, {8, 2}, {9, 1}, {10, 0}}),
      "assessment.");
  ASSERT_TRUE(complete.ok());
  EXPECT_DOUBLE_EQ((*complete)[0].value(), 21.0);
  auto missing = ScoreAssessment(
      Get("ndi"), Answers({{1, 3}, {2, 2}, {3, 1}, {4, 0}, {5, 5}, {6, 4}, {7, 3}, {8, 2}, {9, 1}}),
      "assessment.");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE((*missing)[0].scoreable());
}

TEST(AssessmentScoringTest, Srs22rDomainsAreMeansAndADomainNeedsThreeItems) {
  // Function (5, 9, 12, 15, 18): 4, 4, 5, 3, 4 -> 20 / 5 = 4.
  // Pain (1, 2, 8, 11, 17): only 1 and 2 answered -> not scoreable.
  // Self-image (4, 6, 10, 14, 19): 2, 3, 4 -> 3.
  // Mental health (3, 7, 13, 16, 20): 5, 5, 4, 4, 5 -> 4.6.
  // Satisfaction (21, 22): 3 -> 3.
  // Total: every answered item: 20 + 3+4 + 9 + 23 + 3 = 62 over 16 items = 3.875.
  std::map<int, int> answers = {{5, 4}, {9, 4}, {12, 5}, {15, 3}, {18, 4}, {1, 3}, {2, 4},
                                {4, 2}, {6, 3}, {10, 4}, {3, 5}, {7, 5}, {13, 4}, {16, 4},
                                {20, 5}, {21, 3}};
  auto scores = ScoreAssessment(Get("srs22r"), Answers(answers), "assessment.");
  ASSERT_TRUE(scores.ok()) << scores.status();
  auto by = ByDomain(*scores);
  EXPECT_DOUBLE_EQ(by["function"].value(), 4.0);
  EXPECT_FALSE(by["pain"].scoreable());
  EXPECT_DOUBLE_EQ(by["self_image"].value(), 3.0);
  EXPECT_DOUBLE_EQ(by["mental_health"].value(), 4.6);
  EXPECT_DOUBLE_EQ(by["satisfaction"].value(), 3.0);
  EXPECT_DOUBLE_EQ(by["total"].value(), 62.0 / 16.0);
}

TEST(AssessmentScoringTest, PsfsIsTheMeanOfThreeToFiveActivities) {
  auto three = ScoreAssessment(Get("psfs"), Answers({{1, 2}, {2, 5}, {3, 6}}), "assessment.");
  ASSERT_TRUE(three.ok());
  EXPECT_DOUBLE_EQ((*three)[0].value(), 13.0 / 3.0);
  auto two = ScoreAssessment(Get("psfs"), Answers({{1, 2}, {2, 5}}), "assessment.");
  ASSERT_TRUE(two.ok());
  EXPECT_FALSE((*two)[0].scoreable());
}

TEST(AssessmentScoringTest, BadAnswersNameTheFieldAndTheItem) {
  google::protobuf::RepeatedPtrField<v1::Answer> answers = Answers({{1, 2}, {2, 3}, {3, 4}});
  answers[1].set_value(7);  // item "2" of ODI takes 0-5
  v1::Answer* unknown = answers.Add();
  unknown->set_item("11");
  v1::Answer* twice = answers.Add();
  twice->set_item("1");
  auto scores = ScoreAssessment(Get("odi"), answers, "assessment.");
  ASSERT_EQ(scores.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(scores.status()),
              UnorderedElementsAre("assessment.answers[1].value", "assessment.answers[3].item",
                                   "assessment.answers[4].item"));
  EXPECT_THAT(std::string(scores.status().message()), HasSubstr("item \"2\" takes 0-5; got 7"));
  auto none = ScoreAssessment(Get("odi"), {}, "assessment.");
  EXPECT_THAT(Fields(none.status()), UnorderedElementsAre("assessment.answers"));
  // SRS-22r answers run 1-5: 0 is out of range.
  auto zero = ScoreAssessment(Get("srs22r"), Answers({{1, 0}}), "assessment.");
  EXPECT_THAT(Fields(zero.status()), UnorderedElementsAre("assessment.answers[0].value"));
}

const v1::InstrumentDomain& Total(const std::string& id) {
  for (const v1::InstrumentDomain& domain : Get(id).domains()) {
    if (domain.id() == "total") return domain;
  }
  static const v1::InstrumentDomain none;
  return none;
}

TEST(MeaningfulChangeTest, OdiTenPointsOrThirtyPercentLowerIsBetter) {
  // 40 -> 30: a fall of exactly 10 points is meaningful.
  EXPECT_TRUE(JudgeChange(Total("odi"), v1::CHANGE_DIRECTION_LOWER_IS_BETTER, 40, 30).meaningful);
  // 20 -> 14: 6 points, but 30% of 20 is 6: meaningful.
  EXPECT_TRUE(JudgeChange(Total("odi"), v1::CHANGE_DIRECTION_LOWER_IS_BETTER, 20, 14).meaningful);
  // 50 -> 42: 8 points, under 10 and under 15 (30%): not meaningful but improved.
  ChangeJudgement small = JudgeChange(Total("odi"), v1::CHANGE_DIRECTION_LOWER_IS_BETTER, 50, 42);
  EXPECT_FALSE(small.meaningful);
  EXPECT_TRUE(small.improved);
  // A rise is never an improvement.
  EXPECT_FALSE(JudgeChange(Total("odi"), v1::CHANGE_DIRECTION_LOWER_IS_BETTER, 24, 40).improved);
  EXPECT_EQ(JudgeChange(Total("odi"), v1::CHANGE_DIRECTION_LOWER_IS_BETTER, 40, 24).threshold,
            "10 points or 30% of baseline");
}

TEST(MeaningfulChangeTest, Srs22rAndPsfsHigherIsBetter) {
  EXPECT_TRUE(JudgeChange(Total("srs22r"), Get("srs22r").direction(), 3.0, 3.6).meaningful);
  EXPECT_FALSE(JudgeChange(Total("srs22r"), Get("srs22r").direction(), 3.0, 3.5).meaningful);
  EXPECT_FALSE(JudgeChange(Total("srs22r"), Get("srs22r").direction(), 3.6, 3.0).improved);
  EXPECT_TRUE(JudgeChange(Total("psfs"), Get("psfs").direction(), 3, 5).meaningful);
  EXPECT_FALSE(JudgeChange(Total("ndi"), Get("ndi").direction(), 20, 13).meaningful);  // 7 < 7.5
  EXPECT_TRUE(JudgeChange(Total("ndi"), Get("ndi").direction(), 20, 12).meaningful);
}

v1::Assessment Scored(const std::string& instrument, const std::string& name, int64_t seconds,
                      const std::map<int, int>& answers) {
  v1::Assessment assessment;
  assessment.set_name(name);
  assessment.set_instrument_id(instrument);
  assessment.mutable_performed_at()->set_seconds(seconds);
  *assessment.mutable_answers() = Answers(answers);
  auto scores = ScoreAssessment(Get(instrument), assessment.answers(), "");
  EXPECT_TRUE(scores.ok()) << scores.status();
  for (const auto& score : *scores) *assessment.add_scores() = score;
  return assessment;
}

// ODI 40 (sum 20 of 50) and ODI 24 (sum 12 of 50).
v1::Assessment Odi(const std::string& name, int64_t seconds, int sum) {
  std::map<int, int> answers;
  for (int item = 1; item <= 10; ++item) {
    const int value = std::min(5, std::max(0, sum - 5 * (item - 1)));
    answers[item] = value;
  }
  return Scored("odi", name, seconds, answers);
}

TEST(EpisodeResultTest, PainUsesTheProjectRuleAndQuestionnairesTheirOwn) {
  EpisodeRecord record;
  record.episode.set_name("episodes/0123456789abcdef0123456789abcdef");
  record.first_pain = EpisodeRecord::Pain{6, 1000000};
  record.latest_pain = EpisodeRecord::Pain{4, 5000000};  // a fall of 2: meaningful
  record.pain_sessions = 3;
  record.assessments = {Odi("assessments/a", 1, 20), Odi("assessments/b", 2, 15),
                        Odi("assessments/c", 3, 12),
                        Scored("psfs", "assessments/d", 4, {{1, 3}, {2, 3}, {3, 3}})};
  v1::EpisodeResult result = ComputeEpisodeResult(
      record, [](const std::string& id) { return Shipped().FindById(id); });
  ASSERT_EQ(result.changes_size(), 2);  // PSFS has one value: no change to report
  const v1::EpisodeChange& pain = result.changes(0);
  EXPECT_EQ(pain.measure(), "pain");
  EXPECT_EQ(pain.baseline(), 6);
  EXPECT_EQ(pain.latest(), 4);
  EXPECT_TRUE(pain.meaningful());
  const v1::EpisodeChange& odi = result.changes(1);
  EXPECT_EQ(odi.measure(), "odi");
  EXPECT_EQ(odi.domain(), "total");
  EXPECT_DOUBLE_EQ(odi.baseline(), 40);
  EXPECT_DOUBLE_EQ(odi.latest(), 24);
  EXPECT_DOUBLE_EQ(odi.change(), -16);
  EXPECT_EQ(odi.count(), 3);
  EXPECT_TRUE(odi.improved());
  EXPECT_TRUE(odi.meaningful());
  EXPECT_THAT(odi.source(), HasSubstr("Ostelo"));
}

TEST(EpisodeResultTest, UnscoreableValuesAreSkippedNotCountedAsZero) {
  EpisodeRecord record;
  record.first_pain = EpisodeRecord::Pain{5, 1};
  record.latest_pain = EpisodeRecord::Pain{4, 2};  // 1 point, 20%: not meaningful
  record.pain_sessions = 2;
  record.assessments = {Odi("assessments/a", 1, 20),
                        Scored("odi", "assessments/b", 2, {{1, 0}}),  // unscoreable
                        Odi("assessments/c", 3, 19)};
  v1::EpisodeResult result = ComputeEpisodeResult(
      record, [](const std::string& id) { return Shipped().FindById(id); });
  ASSERT_EQ(result.changes_size(), 2);
  EXPECT_FALSE(result.changes(0).meaningful());
  EXPECT_EQ(result.changes(1).count(), 2);
  EXPECT_DOUBLE_EQ(result.changes(1).latest(), 38);
  EXPECT_FALSE(result.changes(1).meaningful());
}

TEST(AssessmentChangeTest, TheCardSaysWhatChangedAndCitesTheThreshold) {
  Explanation explanation;
  ReportAssessmentChange(Get("odi"), Odi("assessments/a", 1, 20), Odi("assessments/b", 2, 12),
                         explanation);
  ASSERT_EQ(explanation.cards().size(), 1u);
  const v1::Card& card = explanation.cards()[0];
  EXPECT_EQ(card.indicator(), v1::INDICATOR_INFO);
  EXPECT_EQ(card.rule_id(), "assessment.change");
  EXPECT_EQ(card.summary(),
            "ODI fell from 40 to 24: a meaningful improvement (MCID 10 points or 30% of baseline)");
  EXPECT_LT(card.summary().size(), 140u);
  EXPECT_THAT(card.source(), HasSubstr("Ostelo RW"));
  bool fired = false;
  for (const v1::FiredRule& rule : explanation.rules()) fired = fired || rule.rule_id() == "assessment.latest";
  EXPECT_TRUE(fired);
}

TEST(AssessmentChangeTest, AWorseningIsSaidPlainly) {
  Explanation explanation;
  ReportAssessmentChange(Get("odi"), Odi("assessments/a", 1, 12), Odi("assessments/b", 2, 20),
                         explanation);
  ASSERT_EQ(explanation.cards().size(), 1u);
  EXPECT_THAT(explanation.cards()[0].summary(), HasSubstr("ODI rose from 24 to 40: a worsening"));
}

}  // namespace
}  // namespace scoliomassage::core
