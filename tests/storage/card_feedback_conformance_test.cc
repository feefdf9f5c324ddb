// CDS Hooks feedback in the Store, on every backend (store_backends.cc):
// recommendations found by id prefix, feedback idempotent on card and
// outcome and all-or-nothing, counts by rule and reason honouring the filter
// and the clinic, and no free text in what analytics reads.
#include <memory>

#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "store_backend_test.h"

namespace scoliomassage::storage::testing {
namespace {

constexpr char kClinicA[] = "clinic-a";
constexpr char kClinicB[] = "clinic-b";

class CardFeedbackTest : public StoreBackendTest {
 protected:
  void SaveRecommendation(const std::string& clinic, const std::string& id, const std::string& patient) {
    v1::RecommendProtocolRequest request;
    request.set_patient_id(patient);
    request.mutable_profile()->set_primary_region(v1::SPINE_REGION_LUMBAR);
    v1::RecommendProtocolResponse response;
    response.set_recommendation_id(id);
    response.mutable_protocol()->set_protocol_id("lumbar-c-curve");
    response.add_cards()->set_rule_id("rule-" + id.substr(id.size() - 1));
    ASSERT_TRUE(store_->SaveRecommendation(clinic, request, response).ok());
  }

  static CardFeedbackRow Row(const std::string& card, const std::string& outcome,
                             const std::string& rule, const std::string& reason = "",
                             int64_t time_us = kBaseTimeUs) {
    CardFeedbackRow row;
    row.card_uuid = card;
    row.outcome = outcome;
    row.service_id = "scoliomassage-checkin";
    row.recommendation_id = "recommendations/x";
    row.rule_id = rule;
    row.patient_id = "patient-1";
    row.protocol_id = "lumbar-c-curve";
    row.spine_region = v1::SPINE_REGION_LUMBAR;
    if (!reason.empty()) {
      row.reason_system = "urn:scoliomassage:override-reason";
      row.reason_code = reason;
    }
    row.user_comment = "free text comment";
    row.outcome_time_us = time_us;
    row.principal = "cds:https://ehr.example.org";
    return row;
  }
};

TEST_P(CardFeedbackTest, RecommendationsAreFoundByIdPrefixInTheirClinicOnly) {
  SaveRecommendation(kClinicA, "recommendations/abc0000000000000000000000000001", "p1");
  SaveRecommendation(kClinicA, "recommendations/abc0000000000000000000000000002", "p2");
  SaveRecommendation(kClinicA, "recommendations/abd0000000000000000000000000003", "p3");
  SaveRecommendation(kClinicB, "recommendations/abc0000000000000000000000000004", "p4");
  auto found = store_->FindRecommendations(kClinicA, "recommendations/abc");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].request.patient_id(), "p1");
  EXPECT_EQ((*found)[1].response.recommendation_id(), "recommendations/abc0000000000000000000000000002");
  EXPECT_EQ((*found)[1].response.cards(0).rule_id(), "rule-2");
  auto none = store_->FindRecommendations(kClinicB, "recommendations/abd");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(CardFeedbackTest, IdempotentOnCardAndOutcome) {
  auto first = store_->SaveCardFeedback(
      kClinicA, {Row("card-1", "accepted", "protocol"), Row("card-2", "overridden", "r1", "clinician-assessed")});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2);
  auto again = store_->SaveCardFeedback(
      kClinicA, {Row("card-1", "accepted", "protocol"), Row("card-2", "overridden", "r1", "record-incorrect"),
                 Row("card-2", "accepted", "r1")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 1) << "only card-2 accepted is new";
  auto other_clinic = store_->SaveCardFeedback(kClinicB, {Row("card-1", "accepted", "protocol")});
  ASSERT_TRUE(other_clinic.ok());
  EXPECT_EQ(*other_clinic, 1) << "keys are per clinic";

  auto summary = store_->SummarizeCardFeedback(kClinicA, {});
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->by_rule.size(), 2u);
  EXPECT_EQ(summary->by_rule[0].rule_id(), "protocol");
  EXPECT_EQ(summary->by_rule[0].feedback_count(), 1);
  EXPECT_EQ(summary->by_rule[0].override_rate(), 0.0);
  EXPECT_EQ(summary->by_rule[1].rule_id(), "r1");
  EXPECT_EQ(summary->by_rule[1].feedback_count(), 2);
  EXPECT_EQ(summary->by_rule[1].accepted_count(), 1);
  EXPECT_EQ(summary->by_rule[1].overridden_count(), 1);
  EXPECT_DOUBLE_EQ(summary->by_rule[1].override_rate(), 0.5);
  ASSERT_EQ(summary->by_reason.size(), 1u);
  EXPECT_EQ(summary->by_reason[0].reason_code(), "clinician-assessed") << "the first report stays";
  EXPECT_DOUBLE_EQ(summary->by_reason[0].share_of_overrides(), 1.0);
  for (const auto& rule : summary->by_rule) {
    EXPECT_EQ(rule.DebugString().find("free text"), std::string::npos);
  }
}

TEST_P(CardFeedbackTest, ReasonsAndFilters) {
  std::vector<CardFeedbackRow> rows = {
      Row("c1", "overridden", "r1", "physician-cleared", kBaseTimeUs),
      Row("c2", "overridden", "r1", "physician-cleared", kBaseTimeUs + 10),
      Row("c3", "overridden", "r2", "clinician-assessed", kBaseTimeUs + 20),
      Row("c4", "overridden", "r2", "", kBaseTimeUs + 30),
      Row("c5", "accepted", "r2", "", kBaseTimeUs + 40)};
  rows[4].patient_id = "patient-2";
  rows[4].protocol_id = "thoracic-s-curve";
  rows[4].spine_region = v1::SPINE_REGION_THORACIC;
  ASSERT_TRUE(store_->SaveCardFeedback(kClinicA, rows).ok());

  auto all = store_->SummarizeCardFeedback(kClinicA, {});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->by_reason.size(), 3u);
  EXPECT_EQ(all->by_reason[0].reason_code(), "physician-cleared") << "most frequent first";
  EXPECT_EQ(all->by_reason[0].overridden_count(), 2);
  EXPECT_DOUBLE_EQ(all->by_reason[0].share_of_overrides(), 0.5);
  EXPECT_EQ(all->by_reason[1].reason_code(), "") << "ties by system: none given sorts first";
  ASSERT_EQ(all->by_rule.size(), 2u);
  EXPECT_DOUBLE_EQ(all->by_rule[1].override_rate(), 2.0 / 3);
  // Distinct patients, for small-group suppression: r1 only patient-1, r2
  // both; every override is patient-1's.
  EXPECT_EQ(all->by_rule[0].patient_count(), 1);
  EXPECT_EQ(all->by_rule[1].patient_count(), 2);
  EXPECT_EQ(all->by_reason[0].patient_count(), 1);
  EXPECT_EQ(all->feedback_patients, 2);
  EXPECT_EQ(all->override_patients, 1);

  v1::HistoryFilter window;
  window.mutable_start_time()->set_seconds(kBaseTimeUs / 1000000);
  window.mutable_start_time()->set_nanos(20 * 1000);
  window.mutable_end_time()->set_seconds(kBaseTimeUs / 1000000);
  window.mutable_end_time()->set_nanos(40 * 1000);
  auto windowed = store_->SummarizeCardFeedback(kClinicA, window);
  ASSERT_TRUE(windowed.ok()) << windowed.status();
  ASSERT_EQ(windowed->by_rule.size(), 1u);
  EXPECT_EQ(windowed->by_rule[0].feedback_count(), 2) << "[start, end) on the outcome time";

  v1::HistoryFilter patient;
  patient.set_patient_id("patient-2");
  auto one = store_->SummarizeCardFeedback(kClinicA, patient);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->by_rule.size(), 1u);
  EXPECT_EQ(one->by_rule[0].accepted_count(), 1);
  EXPECT_TRUE(one->by_reason.empty());

  v1::HistoryFilter region;
  region.set_spine_region(v1::SPINE_REGION_LUMBAR);
  region.set_protocol_id("lumbar-c-curve");
  auto lumbar = store_->SummarizeCardFeedback(kClinicA, region);
  ASSERT_TRUE(lumbar.ok());
  ASSERT_EQ(lumbar->by_rule.size(), 2u);
  EXPECT_EQ(lumbar->by_rule[1].feedback_count(), 2);

  v1::HistoryFilter therapist;
  therapist.set_therapist_id("t-1");
  auto none = store_->SummarizeCardFeedback(kClinicA, therapist);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->by_rule.empty());

  auto other_clinic = store_->SummarizeCardFeedback(kClinicB, {});
  ASSERT_TRUE(other_clinic.ok());
  EXPECT_TRUE(other_clinic->by_rule.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, CardFeedbackTest, ::testing::ValuesIn(AllStoreBackends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace scoliomassage::storage::testing
