#include "app/background_records.h"

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "app_fixture.h"

namespace scoliomassage::app::testing {
namespace {

using BackgroundRecordsTest = AppTest;

v1::ListAuditRecordsResponse ReadAudit(History& history) {
  auto page = history.ListAudit({"admin-1", auth::Role::kAdmin, "clinic-a"},
                                v1::ListAuditRecordsRequest());
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? *page : v1::ListAuditRecordsResponse();
}

TEST_F(BackgroundRecordsTest, AnAuditEventBecomesAStoredAuditRecord) {
  BackgroundRecords records(*store_, 100);
  const absl::Time start = absl::FromUnixMicros(absl::ToUnixMicros(absl::Now()));
  records.Record(AuditEvent{start, Therapist("t-7"), auth::Method::kAmendOutcome,
                            "outcomes/abc", absl::StatusCode::kPermissionDenied, ""});
  records.Flush();
  const auto audit = ReadAudit(*history_);
  ASSERT_EQ(audit.records_size(), 1);
  const v1::AuditRecord& record = audit.records(0);
  EXPECT_EQ(record.principal(), "t-7");
  EXPECT_EQ(record.role(), "therapist");
  EXPECT_EQ(record.method(), "/scoliomassage.v1.OutcomeService/AmendOutcome");
  EXPECT_EQ(record.subject(), "outcomes/abc");
  EXPECT_EQ(record.status_code(), static_cast<int>(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(record.time().seconds(), absl::ToUnixSeconds(start));
}

TEST_F(BackgroundRecordsTest, TheCatalogAndCliniclessCallsAreNotAudited) {
  BackgroundRecords records(*store_, 100);
  records.Record(AuditEvent{absl::Now(), Host(), auth::Method::kListProtocols, "",
                            absl::StatusCode::kOk, ""});
  records.Record(AuditEvent{absl::Now(), auth::Caller{}, auth::Method::kLogOutcome, "",
                            absl::StatusCode::kUnauthenticated, ""});
  records.Flush();
  EXPECT_EQ(ReadAudit(*history_).records_size(), 0);
}

TEST_F(BackgroundRecordsTest, ARecordStoredWithItsWriteIsNotWrittenAgain) {
  BackgroundRecords records(*store_, 100);
  AuditEvent event{absl::Now(), Host(), auth::Method::kLogOutcome, "outcomes/x",
                   absl::StatusCode::kOk, ""};
  event.stored_with_write = true;
  records.Record(event);
  event.stored_with_write = false;
  records.Record(event);
  records.Flush();
  EXPECT_EQ(ReadAudit(*history_).records_size(), 1);
}

TEST_F(BackgroundRecordsTest, DestructionWritesWhatIsQueued) {
  {
    BackgroundRecords records(*store_, 1000);
    for (int i = 0; i < 50; ++i) {
      records.Record(AuditEvent{absl::Now(), Host(), auth::Method::kLogOutcome, "outcomes/x",
                                absl::StatusCode::kOk, ""});
    }
    EXPECT_EQ(records.dropped(), 0u);
  }
  EXPECT_EQ(ReadAudit(*history_).records_size(), 50);
}

TEST_F(BackgroundRecordsTest, AFullQueueDropsAndCountsInsteadOfBlocking) {
  BackgroundRecords records(*store_, 0);  // no room at all
  records.Record(AuditEvent{absl::Now(), Host(), auth::Method::kLogOutcome, "outcomes/x",
                            absl::StatusCode::kOk, ""});
  records.Record("clinic-a", CheckInRequest("patient-1"), v1::RecommendProtocolResponse());
  records.Flush();
  EXPECT_EQ(records.dropped(), 2u);
  EXPECT_EQ(ReadAudit(*history_).records_size(), 0);
}

TEST_F(BackgroundRecordsTest, ARecommendationIsSavedSoAnOutcomeCanReferToIt) {
  BackgroundRecords records(*store_, 100);
  CheckIn recorded(*store_, *engine_, *pseudonyms_, &records);
  std::string subject;
  auto response = recorded.Recommend(Host(), CheckInRequest("patient-1"), &subject);
  ASSERT_TRUE(response.ok()) << response.status();
  records.Flush();
  v1::LogOutcomeRequest log = LogRequest("patient-1");
  log.mutable_outcome()->set_recommendation_id(response->recommendation_id());
  MustLog(Host(), log);
  EXPECT_EQ(records.dropped(), 0u);
}

}  // namespace
}  // namespace scoliomassage::app::testing
