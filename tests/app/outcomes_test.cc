#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app_fixture.h"

namespace scoliomassage::app::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

using OutcomesTest = AppTest;

TEST_F(OutcomesTest, LogIsIdempotentOnRequestId) {
  const v1::LogOutcomeRequest request = LogRequest("patient-1");
  AuditEvent audit = CallAudit(Host(), auth::Method::kLogOutcome);
  auto first = outcomes_->Log(Host(), request, &audit);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->name(), StartsWith("outcomes/"));
  EXPECT_EQ(audit.subject, first->name());
  EXPECT_EQ(first->spine_region(), v1::SPINE_REGION_LUMBAR) << "taken from the protocol";
  auto retry = outcomes_->Log(Host(), request, &audit);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());

  v1::LogOutcomeRequest reused = request;
  reused.mutable_outcome()->set_pain_after(1);
  EXPECT_EQ(outcomes_->Log(Host(), reused, &audit).status().code(),
            absl::StatusCode::kAlreadyExists);
}

// On SQLite the audit record of an acknowledged write is committed with it
// (no commit of its own, never lost in a crash after the acknowledgement);
// a write that fails leaves no record of success behind.
TEST_F(OutcomesTest, AWriteCommitsItsOwnAuditRecordOnSqlite) {
  const v1::LogOutcomeRequest request = LogRequest("patient-1");
  const absl::Time start = absl::FromUnixSeconds(1790000000);
  AuditEvent logged = CallAudit(Host(), auth::Method::kLogOutcome, start);
  auto first = outcomes_->Log(Host(), request, &logged);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(logged.stored_with_write);
  AuditEvent replayed = CallAudit(Host(), auth::Method::kLogOutcome, start);
  ASSERT_TRUE(outcomes_->Log(Host(), request, &replayed).ok());
  EXPECT_TRUE(replayed.stored_with_write) << "a retry is a call too";
  v1::LogOutcomeRequest reused = request;
  reused.mutable_outcome()->set_pain_after(1);
  AuditEvent refused = CallAudit(Host(), auth::Method::kLogOutcome, start);
  ASSERT_FALSE(outcomes_->Log(Host(), reused, &refused).ok());
  EXPECT_FALSE(refused.stored_with_write);

  auto page = store_->ListAudit(Host().clinic_id, v1::ListAuditRecordsRequest());
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records.size(), 2u) << "the log and its retry; nothing for the refused call";
  for (const v1::AuditRecord& record : page->records) {
    EXPECT_EQ(record.subject(), first->name());
    EXPECT_EQ(record.method(), auth::MethodPath(auth::Method::kLogOutcome));
    EXPECT_EQ(record.status_code(), 0);
    EXPECT_EQ(record.principal(), Host().principal);
    EXPECT_EQ(record.time().seconds(), 1790000000);
  }
}

TEST_F(OutcomesTest, BadOutcomeNamesTheFieldAndStoresNothing) {
  v1::LogOutcomeRequest request = LogRequest("patient-2");
  request.mutable_outcome()->set_pain_before(42);
  AuditEvent audit = CallAudit(Host(), auth::Method::kLogOutcome);
  auto stored = outcomes_->Log(Host(), request, &audit);
  ASSERT_EQ(stored.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(audit.stored_with_write);
  std::string subject;
  EXPECT_THAT(ViolatedFields(stored.status()), ElementsAre("outcome.pain_before"));
  v1::ListOutcomesRequest list;
  list.mutable_filter()->set_patient_id("patient-2");
  auto page = outcomes_->List(Host(), list, &subject);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->outcomes_size(), 0);
}

TEST_F(OutcomesTest, AmendAppendsARevisionAndGetReadsEither) {
  const v1::Outcome first = MustLog(Host(), LogRequest("patient-1"));
  v1::AmendOutcomeRequest amend;
  amend.set_request_id(LogRequest("x").request_id());
  amend.set_name(first.name());
  *amend.mutable_outcome() = LogRequest("patient-1").outcome();
  amend.mutable_outcome()->set_pain_after(2);
  amend.set_reason("typo in pain after");
  AuditEvent audit = CallAudit(Therapist("therapist-1"), auth::Method::kAmendOutcome);
  auto amended = outcomes_->Amend(Therapist("therapist-1"), amend, &audit);
  ASSERT_TRUE(amended.ok()) << amended.status();
  EXPECT_EQ(amended->revision(), 2);
  EXPECT_EQ(audit.subject, first.name());
  EXPECT_TRUE(audit.stored_with_write);
  std::string subject;

  v1::GetOutcomeRequest get;
  get.set_name(first.name());
  auto latest = outcomes_->Get(Host(), get, &subject);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->pain_after(), 2);
  get.set_revision(1);
  auto original = outcomes_->Get(Host(), get, &subject);
  ASSERT_TRUE(original.ok()) << original.status();
  EXPECT_EQ(original->pain_after(), 3);
}

TEST_F(OutcomesTest, ATherapistTouchesOnlyTheirOwnOutcomes) {
  const v1::Outcome stored = MustLog(Host(), LogRequest("patient-1"));
  v1::GetOutcomeRequest get;
  get.set_name(stored.name());
  std::string subject;
  auto other = outcomes_->Get(Therapist("therapist-2"), get, &subject);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(other.status()), "NOT_OWNER");
  EXPECT_TRUE(outcomes_->Get(Therapist("therapist-1"), get, &subject).ok());
}

TEST_F(OutcomesTest, AnotherClinicsOutcomeIsNotFound) {
  const v1::Outcome stored = MustLog(Host(), LogRequest("patient-1"));
  v1::GetOutcomeRequest get;
  get.set_name(stored.name());
  std::string subject;
  const auth::Caller elsewhere{"frontdesk", auth::Role::kHost, "clinic-b"};
  EXPECT_EQ(outcomes_->Get(elsewhere, get, &subject).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(OutcomesTest, ListPagesWithTheDefaultAndAuditsByPseudonym) {
  for (int i = 0; i < 21; ++i) MustLog(Host(), LogRequest("patient-1"));
  v1::ListOutcomesRequest list;
  list.mutable_filter()->set_patient_id("patient-1");
  std::string subject;
  auto page = outcomes_->List(Host(), list, &subject);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->outcomes_size(), 20) << "0 means the default page size, 20";
  EXPECT_FALSE(page->next_page_token().empty());
  EXPECT_EQ(subject, pseudonyms_->Pseudonym("clinic-a", "patient-1"));
  list.set_page_token(page->next_page_token());
  auto rest = outcomes_->List(Host(), list, &subject);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->outcomes_size(), 1);
  EXPECT_TRUE(rest->next_page_token().empty());

  v1::ListOutcomesRequest all;
  auto unfiltered = outcomes_->List(Host(), all, &subject);
  ASSERT_TRUE(unfiltered.ok());
  EXPECT_EQ(subject, "outcomes");
}

// The FHIR read API lists for therapists too: only their own sessions, and
// Count (a Bundle's total) agrees with what List pages through.
TEST_F(OutcomesTest, ATherapistListsAndCountsOnlyTheirOwnSessions) {
  for (int i = 0; i < 3; ++i) MustLog(Host(), LogRequest("patient-1"));
  v1::LogOutcomeRequest other = LogRequest("patient-1");
  other.mutable_outcome()->set_therapist_id("therapist-2");
  MustLog(Host(), other);
  v1::ListOutcomesRequest list;
  list.mutable_filter()->set_patient_id("patient-1");
  std::string subject;
  auto own = outcomes_->List(Therapist("therapist-2"), list, &subject);
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_EQ(own->outcomes_size(), 1);
  EXPECT_EQ(own->outcomes(0).therapist_id(), "therapist-2");
  auto count = outcomes_->Count(Therapist("therapist-2"), list.filter());
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
  EXPECT_EQ(*outcomes_->Count(Host(), list.filter()), 4);
  list.mutable_filter()->set_therapist_id("therapist-1");
  auto theirs = outcomes_->List(Therapist("therapist-2"), list, &subject);
  EXPECT_EQ(theirs.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(theirs.status()), "NOT_OWNER");
}

TEST_F(OutcomesTest, ListRefusesPageSizesOutsideTheRange) {
  std::string subject;
  for (int size : {-1, 101}) {
    v1::ListOutcomesRequest list;
    list.set_page_size(size);
    auto page = outcomes_->List(Host(), list, &subject);
    ASSERT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument) << size;
    EXPECT_THAT(ViolatedFields(page.status()), ElementsAre("page_size")) << size;
  }
  v1::ListOutcomesRequest largest;
  largest.set_page_size(100);
  EXPECT_TRUE(outcomes_->List(Host(), largest, &subject).ok());
}

TEST_F(OutcomesTest, ListRefusesABadFilterInTheAppLayer) {
  v1::ListOutcomesRequest list;
  list.mutable_filter()->mutable_start_time()->set_seconds(2000);
  list.mutable_filter()->mutable_end_time()->set_seconds(1000);
  std::string subject;
  auto page = outcomes_->List(Host(), list, &subject);
  ASSERT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(page.status()), ElementsAre("filter.end_time"));
}

}  // namespace
}  // namespace scoliomassage::app::testing
