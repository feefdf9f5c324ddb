// Small-group suppression of summaries for the analytics role, and the
// history stream's films and questionnaires, through the app layer over a
// real SQLite store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "app_fixture.h"
#include "base/random_id.h"

namespace scoliomassage::app::testing {
namespace {


constexpr int64_t kDaySeconds = 86400;

std::map<std::string, v1::SummaryGroup> ByKey(const v1::SummarizeOutcomesResponse& response) {
  std::map<std::string, v1::SummaryGroup> groups;
  for (const auto& group : response.groups()) groups[group.key()] = group;
  return groups;
}

class SummaryPrivacy : public AppTest {
 protected:
  // Sessions by three therapists for 6, 5 and 4 patients.
  void LogSixFiveFour() {
    for (const auto& [therapist, patients] :
         std::map<std::string, int>{{"t-six", 6}, {"t-five", 5}, {"t-four", 4}}) {
      for (int i = 0; i < patients; ++i) {
        v1::LogOutcomeRequest request = LogRequest(absl::StrCat(therapist, "-p", i));
        request.mutable_outcome()->set_therapist_id(therapist);
        MustLog(Host(), request);
      }
    }
  }
  v1::SummarizeOutcomesResponse Summarize(const auth::Caller& caller,
                                          const v1::SummarizeOutcomesRequest& request) {
    auto response = history_->Summarize(caller, request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::SummarizeOutcomesResponse();
  }
};

TEST_F(SummaryPrivacy, AnalyticsSeesSmallGroupsAndTheirComplementSuppressedAdminSeesAll) {
  LogSixFiveFour();
  v1::SummarizeOutcomesRequest request;
  request.add_group_by(v1::GROUP_BY_THERAPIST);

  auto admin = ByKey(Summarize(Admin(), request));
  ASSERT_EQ(admin.size(), 3u);
  EXPECT_EQ(admin["t-four"].patient_count(), 4);
  EXPECT_EQ(admin["t-four"].session_count(), 4);
  EXPECT_FALSE(admin["t-four"].suppressed());
  EXPECT_EQ(admin["t-five"].patient_count(), 5);

  const v1::SummarizeOutcomesResponse analytics = Summarize(Analytics(), request);
  auto groups = ByKey(analytics);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_TRUE(groups["t-four"].suppressed());
  EXPECT_EQ(groups["t-four"].session_count(), 0);
  EXPECT_EQ(groups["t-four"].patient_count(), 0);
  EXPECT_EQ(groups["t-four"].mean_pain_before(), 0);
  EXPECT_EQ(groups["t-four"].key_parts().at("therapist"), "t-four");
  EXPECT_TRUE(groups["t-five"].suppressed()) << "the complement";
  EXPECT_EQ(groups["t-five"].session_count(), 0);
  EXPECT_FALSE(groups["t-six"].suppressed());
  EXPECT_EQ(groups["t-six"].session_count(), 6);
  EXPECT_EQ(groups["t-six"].patient_count(), 6);
  ASSERT_TRUE(analytics.has_total());
  EXPECT_FALSE(analytics.total().suppressed());
  EXPECT_EQ(analytics.total().patient_count(), 15);
}

TEST_F(SummaryPrivacy, ASmallSelectionAndItsTotalAreSuppressed) {
  LogSixFiveFour();
  v1::SummarizeOutcomesRequest request;
  request.mutable_filter()->set_therapist_id("t-four");
  const auto analytics = Summarize(Analytics(), request);
  ASSERT_EQ(analytics.groups_size(), 1);
  EXPECT_TRUE(analytics.groups(0).suppressed());
  EXPECT_EQ(analytics.groups(0).session_count(), 0);
  const auto admin = Summarize(Admin(), request);
  ASSERT_EQ(admin.groups_size(), 1);
  EXPECT_EQ(admin.groups(0).session_count(), 4);

  request.add_group_by(v1::GROUP_BY_PROTOCOL);
  const auto grouped = Summarize(Analytics(), request);
  ASSERT_EQ(grouped.groups_size(), 1);
  EXPECT_TRUE(grouped.groups(0).suppressed());
  EXPECT_TRUE(grouped.total().suppressed());
  EXPECT_EQ(grouped.total().session_count(), 0);
  EXPECT_FALSE(Summarize(Admin(), request).total().suppressed());
}

TEST_F(SummaryPrivacy, EveryEpisodeGroupIsOnePatientSoAllAreSuppressed) {
  LogSixFiveFour();
  v1::SummarizeOutcomesRequest request;
  request.add_group_by(v1::GROUP_BY_EPISODE);
  const auto analytics = Summarize(Analytics(), request);
  ASSERT_EQ(analytics.groups_size(), 15);
  for (const auto& group : analytics.groups()) EXPECT_TRUE(group.suppressed()) << group.key();
  EXPECT_FALSE(analytics.total().suppressed());
  const auto admin = Summarize(Admin(), request);
  for (const auto& group : admin.groups()) EXPECT_FALSE(group.suppressed());
}

TEST_F(SummaryPrivacy, FeedbackRulesAndReasonsFollowTheSameRule) {
  std::vector<storage::CardFeedbackRow> rows;
  // rule-a 6 patients, rule-b 2, rule-c 7: b is small, a (the smallest
  // other) is its complement; c is shown.
  for (const auto& [rule, patients] :
       std::map<std::string, int>{{"rule-a", 6}, {"rule-b", 2}, {"rule-c", 7}}) {
    for (int i = 0; i < patients; ++i) {
      storage::CardFeedbackRow row;
      row.card_uuid = absl::StrCat(rule, "-", i);
      row.outcome = "overridden";
      row.rule_id = rule;
      row.patient_id = absl::StrCat("fb-p", i);
      row.reason_code = rule == "rule-b" ? "rare" : "common";
      row.outcome_time_us = 1000000;
      rows.push_back(row);
    }
  }
  ASSERT_TRUE(store_->SaveCardFeedback("clinic-a", rows).ok());
  const auto analytics = Summarize(Analytics(), v1::SummarizeOutcomesRequest());
  std::map<std::string, v1::RuleFeedback> rules;
  for (const auto& rule : analytics.feedback_by_rule()) rules[rule.rule_id()] = rule;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_TRUE(rules["rule-b"].suppressed());
  EXPECT_EQ(rules["rule-b"].feedback_count(), 0);
  EXPECT_TRUE(rules["rule-a"].suppressed());
  EXPECT_FALSE(rules["rule-c"].suppressed());
  EXPECT_EQ(rules["rule-c"].feedback_count(), 7);
  EXPECT_EQ(rules["rule-c"].patient_count(), 7);
  // Reasons: "common" 7 distinct patients (fb-p0..6), "rare" 2: a lone
  // small cell with no other to hide, so the shares would give it away.
  std::map<std::string, v1::OverrideReasonFeedback> reasons;
  for (const auto& reason : analytics.overrides_by_reason()) reasons[reason.reason_code()] = reason;
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_TRUE(reasons["rare"].suppressed());
  EXPECT_EQ(reasons["rare"].overridden_count(), 0);
  EXPECT_TRUE(reasons["common"].suppressed());

  const auto admin = Summarize(Admin(), v1::SummarizeOutcomesRequest());
  for (const auto& rule : admin.feedback_by_rule()) EXPECT_FALSE(rule.suppressed());
  for (const auto& reason : admin.overrides_by_reason()) EXPECT_FALSE(reason.suppressed());
}

TEST_F(SummaryPrivacy, TheStreamMinimisesFilmsAndAssessmentsForAnalytics) {
  MustLog(Host(), LogRequest("patient-1"));
  v1::CurveMeasurement film;
  film.set_patient_id("patient-1");
  film.mutable_taken_at()->set_seconds(std::time(nullptr) - 30 * kDaySeconds);
  film.set_spine_region(v1::SPINE_REGION_LUMBAR);
  film.set_cobb_angle_degrees(18);
  film.set_measured_by("dr-radiology");
  film.set_imaging_ref("PACS-9");
  film.set_notes("seen at the hospital");
  ASSERT_TRUE(store_->RecordCurveMeasurement("clinic-a", *base::RandomUuid(), film).ok());
  v1::Assessment odi;
  odi.set_patient_id("patient-1");
  odi.set_instrument_id("odi");
  odi.mutable_performed_at()->set_seconds(std::time(nullptr) - 60);
  odi.add_answers()->set_item("1");
  odi.add_scores()->set_domain("total");
  ASSERT_TRUE(store_->RecordAssessment("clinic-a", *base::RandomUuid(), odi).ok());

  v1::QueryHistoryRequest query;
  query.add_include(v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT);
  query.add_include(v1::HISTORY_RECORD_KIND_ASSESSMENT);
  query.add_include(v1::HISTORY_RECORD_KIND_OUTCOME);
  ASSERT_TRUE(history_->ValidateQuery(query).ok());
  auto page = history_->NextPage(Analytics(), query, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records.size(), 3u);
  EXPECT_EQ(page->records[0].kind(), v1::HISTORY_RECORD_KIND_OUTCOME);
  const v1::CurveMeasurement& seen = page->records[1].curve_measurement();
  EXPECT_EQ(page->records[1].kind(), v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT);
  EXPECT_TRUE(seen.patient_id().empty());
  EXPECT_EQ(seen.patient_pseudonym(), pseudonyms_->Pseudonym("clinic-a", "patient-1"));
  EXPECT_TRUE(seen.measured_by().empty());
  EXPECT_TRUE(seen.imaging_ref().empty());
  EXPECT_TRUE(seen.notes().empty());
  EXPECT_EQ(seen.cobb_angle_degrees(), 18);
  const v1::Assessment& scored = page->records[2].assessment();
  EXPECT_TRUE(scored.patient_id().empty());
  EXPECT_EQ(scored.patient_pseudonym(), pseudonyms_->Pseudonym("clinic-a", "patient-1"));

  // A clinic that granted analytics the free text keeps the film's details.
  History granted(*store_, *pseudonyms_, {"clinic-a"});
  auto full = granted.NextPage(Analytics(), query, "");
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(full->records.size(), 3u);
  EXPECT_EQ(full->records[1].curve_measurement().imaging_ref(), "PACS-9");
  EXPECT_TRUE(full->records[1].curve_measurement().patient_id().empty());

  // The admin sees the record as stored.
  auto admin = history_->NextPage(Admin(), query, "");
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_EQ(admin->records[1].curve_measurement().patient_id(), "patient-1");

  // Outcome-only clients are unchanged: no include, outcomes only.
  auto old = history_->NextPage(Analytics(), v1::QueryHistoryRequest(), "");
  ASSERT_TRUE(old.ok()) << old.status();
  ASSERT_EQ(old->records.size(), 1u);
  EXPECT_TRUE(old->records[0].has_outcome());
  EXPECT_EQ(old->records[0].resume_token(), page->records[0].resume_token());

  v1::QueryHistoryRequest bad = query;
  bad.mutable_filter()->set_protocol_id("lumbar-c-curve");
  EXPECT_THAT(ViolatedFields(history_->ValidateQuery(bad)), ::testing::Contains("filter.protocol_id"));
}

}  // namespace
}  // namespace scoliomassage::app::testing
