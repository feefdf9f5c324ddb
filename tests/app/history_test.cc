#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/page_size.h"
#include "app_fixture.h"

namespace scoliomassage::app::testing {
namespace {

using ::testing::ElementsAre;

using HistoryTest = AppTest;

TEST_F(HistoryTest, AnalyticsSeesPseudonymsAndNoFreeText) {
  MustLog(Host(), LogRequest("patient-1"));
  v1::QueryHistoryRequest query;
  ASSERT_TRUE(history_->ValidateQuery(query).ok());
  auto page = history_->NextPage(Analytics(), query, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_TRUE(page->done);
  const v1::Outcome& outcome = page->records[0].outcome();
  EXPECT_TRUE(outcome.patient_id().empty());
  EXPECT_EQ(outcome.patient_pseudonym(), pseudonyms_->Pseudonym("clinic-a", "patient-1"));
  EXPECT_TRUE(outcome.relaxation_notes().empty());
  EXPECT_FALSE(page->records[0].resume_token().empty());
}

TEST_F(HistoryTest, AGrantedClinicsAnalyticsSeesTheNotes) {
  History granted(*store_, *pseudonyms_, {"clinic-a"});
  MustLog(Host(), LogRequest("patient-1"));
  auto page = granted.NextPage(Analytics(), v1::QueryHistoryRequest(), "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].outcome().relaxation_notes(), "relaxed well");
  EXPECT_TRUE(page->records[0].outcome().patient_id().empty());
}

TEST_F(HistoryTest, PagesAreTheAppsSizeAndResumeWithoutGapOrDuplicate) {
  const int total = kHistoryScanPageSize + 3;
  for (int i = 0; i < total; ++i) MustLog(Host(), LogRequest("patient-1"));
  v1::QueryHistoryRequest query;
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  for (;;) {
    auto page = history_->NextPage(Admin(), query, token);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    EXPECT_LE(page->records.size(), static_cast<size_t>(kHistoryScanPageSize));
    for (const auto& record : page->records) {
      EXPECT_TRUE(seen.insert(record.outcome().name()).second) << "duplicate";
      token = record.resume_token();
    }
    if (page->done || page->records.empty()) break;
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(total));
  EXPECT_EQ(pages, 2);
}

TEST_F(HistoryTest, ABadFilterIsRefusedBeforeAnyRead) {
  v1::QueryHistoryRequest query;
  query.mutable_filter()->mutable_start_time()->set_seconds(2000);
  query.mutable_filter()->mutable_end_time()->set_seconds(1000);
  const absl::Status status = history_->ValidateQuery(query);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("filter.end_time"));
}

TEST_F(HistoryTest, SummarizeChecksGroupBy) {
  v1::SummarizeOutcomesRequest request;
  request.add_group_by(v1::GROUP_BY_UNSPECIFIED);
  request.add_group_by(v1::GROUP_BY_PROTOCOL);
  request.add_group_by(v1::GROUP_BY_PROTOCOL);
  auto summary = history_->Summarize(Analytics(), request);
  ASSERT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(summary.status()), ElementsAre("group_by[0]", "group_by[2]"));
}

TEST_F(HistoryTest, SummarizeGroupsInTheStore) {
  MustLog(Host(), LogRequest("patient-1"));
  MustLog(Host(), LogRequest("patient-2"));
  v1::SummarizeOutcomesRequest request;
  request.add_group_by(v1::GROUP_BY_PROTOCOL);
  auto summary = history_->Summarize(Analytics(), request);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->groups_size(), 1);
  EXPECT_TRUE(summary->has_compute_time());
}

TEST_F(HistoryTest, ListAuditChecksThePageSize) {
  for (int size : {-1, 1001}) {
    v1::ListAuditRecordsRequest request;
    request.set_page_size(size);
    auto page = history_->ListAudit(Admin(), request);
    ASSERT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument) << size;
    EXPECT_THAT(ViolatedFields(page.status()), ElementsAre("page_size")) << size;
  }
  v1::ListAuditRecordsRequest largest;
  largest.set_page_size(1000);
  EXPECT_TRUE(history_->ListAudit(Admin(), largest).ok());
}

}  // namespace
}  // namespace scoliomassage::app::testing
