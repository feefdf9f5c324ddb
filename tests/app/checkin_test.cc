#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "app_fixture.h"
#include "base/time.h"

namespace scoliomassage::app::testing {
namespace {

using ::testing::Contains;
using ::testing::MatchesRegex;

using CheckInTest = AppTest;

TEST_F(CheckInTest, RecommendsRecordsAndAuditsByPseudonym) {
  std::string subject;
  const absl::Time before = absl::Now() - absl::Seconds(1);
  auto response = checkin_->Recommend(Host(), CheckInRequest("patient-1"), &subject);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_THAT(response->recommendation_id(), MatchesRegex("recommendations/[0-9a-f]{32}"));
  const absl::Time created = base::TimestampToTime(response->create_time());
  EXPECT_GE(created, before);
  EXPECT_LE(created, absl::Now() + absl::Seconds(1));
  EXPECT_EQ(response->protocol().protocol_id(), "lumbar-c-curve");
  // The audit subject is the pseudonym, never the patient id.
  EXPECT_EQ(subject, pseudonyms_->Pseudonym("clinic-a", "patient-1"));
  const auto recorded = recommendations_.records();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].first, "clinic-a");
  EXPECT_EQ(recorded[0].second, response->recommendation_id());
}

TEST_F(CheckInTest, EachRecommendationGetsItsOwnId) {
  std::string subject;
  auto first = checkin_->Recommend(Host(), CheckInRequest("patient-1"), &subject);
  auto second = checkin_->Recommend(Host(), CheckInRequest("patient-1"), &subject);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->recommendation_id(), second->recommendation_id());
}

TEST_F(CheckInTest, InvalidRequestNamesTheFieldAndRecordsNothing) {
  std::string subject;
  v1::RecommendProtocolRequest request = CheckInRequest("patient-1");
  request.mutable_profile()->clear_primary_region();
  auto response = checkin_->Recommend(Host(), request, &subject);
  ASSERT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(response.status()), Contains("profile.primary_region"));
  EXPECT_TRUE(recommendations_.records().empty());
}

TEST_F(CheckInTest, WithoutARecommendationLogNothingIsRecorded) {
  CheckIn unrecorded(*store_, *engine_, *pseudonyms_, nullptr);
  std::string subject;
  EXPECT_TRUE(unrecorded.Recommend(Host(), CheckInRequest("patient-1"), &subject).ok());
}

TEST_F(CheckInTest, ProgressionSeesTheLoggedOutcomes) {
  MustLog(Host(), LogRequest("patient-1"));
  std::string subject;
  auto response = checkin_->Recommend(Host(), CheckInRequest("patient-1"), &subject);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->basis().session_number(), 2);
}

TEST_F(CheckInTest, ListProtocolsIsTheLoadedCatalog) {
  const auto protocols = checkin_->ListProtocols();
  EXPECT_EQ(static_cast<size_t>(protocols.protocols_size()), engine_->catalog().protocols().size());
  EXPECT_GT(protocols.protocols_size(), 0);
}

}  // namespace
}  // namespace scoliomassage::app::testing
