// The real server in-process on 127.0.0.1:0, spoken to over a real socket.
#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "scoliomassage/v1/history.grpc.pb.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "in_process_server.h"
#include "status_details.h"

namespace scoliomassage {
namespace {

using ::testing::Contains;
using ::testing::Pair;

class ServerTest : public InProcessServerTest {
 protected:
  static std::vector<std::pair<std::string, std::string>> Violations(const grpc::Status& status) {
    return testing::FieldViolations(status);
  }
  static std::string Reason(const grpc::Status& status) { return testing::ErrorReason(status); }
};

TEST_F(ServerTest, HealthCheckReportsServingForServerAndEachService) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const char* service : {"", "scoliomassage.v1.ProtocolService",
                              "scoliomassage.v1.OutcomeService", "scoliomassage.v1.HistoryService"}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << service << ": " << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
}

TEST_F(ServerTest, EmptyRecommendRequestIsInvalidArgumentWithFieldViolations) {
  auto stub = v1::ProtocolService::NewStub(channel_);
  grpc::ClientContext context;
  v1::RecommendProtocolResponse response;
  grpc::Status status = stub->RecommendProtocol(&context, v1::RecommendProtocolRequest(), &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = Violations(status);
  std::vector<std::string> fields;
  for (const auto& violation : violations) fields.push_back(violation.first);
  EXPECT_THAT(fields, Contains("patient_id"));
  EXPECT_THAT(fields, Contains("profile.primary_region"));
  for (const auto& violation : violations) EXPECT_FALSE(violation.second.empty());
  EXPECT_EQ(Reason(status), "INVALID_REQUEST");
}

TEST_F(ServerTest, RecommendLogAndReadBackOverTheWire) {
  auto protocols = v1::ProtocolService::NewStub(channel_);
  v1::RecommendProtocolRequest request;
  request.set_patient_id("patient-1");
  request.mutable_profile()->set_primary_region(v1::SPINE_REGION_LUMBAR);
  request.mutable_profile()->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  request.mutable_profile()->set_convex_side(v1::SIDE_RIGHT);
  request.mutable_profile()->set_age_years(30);
  request.mutable_screening()->set_pain_nrs(4);
  v1::RecommendProtocolResponse recommendation;
  {
    grpc::ClientContext context;
    grpc::Status status = protocols->RecommendProtocol(&context, request, &recommendation);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(recommendation.decision(), v1::DECISION_PROCEED);
  EXPECT_EQ(recommendation.protocol().session_number(), 1);
  EXPECT_EQ(recommendation.protocol().total_minutes(), 15);
  EXPECT_FALSE(recommendation.recommendation_id().empty());

  auto outcomes = v1::OutcomeService::NewStub(channel_);
  v1::LogOutcomeRequest log;
  log.set_request_id("6f1c2a4e-0d4b-4c8e-9a51-2b7d3e8f9a10");
  auto* outcome = log.mutable_outcome();
  outcome->set_patient_id("patient-1");
  outcome->set_therapist_id("therapist-1");
  outcome->set_recommendation_id(recommendation.recommendation_id());
  outcome->set_protocol_id(recommendation.protocol().protocol_id());
  outcome->set_protocol_version(recommendation.protocol().protocol_version());
  outcome->set_session_number(1);
  outcome->set_minutes(15);
  outcome->set_pain_before(5);
  outcome->set_pain_after(3);
  outcome->mutable_performed_at()->set_seconds(std::time(nullptr) - 600);
  v1::Outcome stored;
  {
    grpc::ClientContext context;
    grpc::Status status = outcomes->LogOutcome(&context, log, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(stored.spine_region(), v1::SPINE_REGION_LUMBAR) << "taken from the protocol";
  EXPECT_EQ(stored.revision(), 1);

  v1::GetOutcomeRequest get;
  get.set_name(stored.name());
  v1::Outcome fetched;
  grpc::ClientContext context;
  ASSERT_TRUE(outcomes->GetOutcome(&context, get, &fetched).ok());
  EXPECT_EQ(fetched.name(), stored.name());
  EXPECT_EQ(fetched.pain_after(), 3);

  // The next check-in sees the logged session.
  v1::RecommendProtocolResponse second;
  grpc::ClientContext context2;
  ASSERT_TRUE(protocols->RecommendProtocol(&context2, request, &second).ok());
  EXPECT_EQ(second.protocol().session_number(), 2);
  EXPECT_EQ(second.basis().last_outcome(), stored.name());
}

TEST_F(ServerTest, BadOutcomeNamesTheFieldAndStoresNothing) {
  auto outcomes = v1::OutcomeService::NewStub(channel_);
  v1::LogOutcomeRequest log;
  log.set_request_id("0b8f9a3c-1111-4222-8333-444455556666");
  auto* outcome = log.mutable_outcome();
  outcome->set_patient_id("patient-2");
  outcome->set_therapist_id("therapist-1");
  outcome->set_protocol_id("lumbar-c-curve");
  outcome->set_session_number(1);
  outcome->set_minutes(15);
  outcome->set_pain_before(42);
  outcome->set_pain_after(3);
  outcome->mutable_performed_at()->set_seconds(std::time(nullptr) - 60);
  v1::Outcome stored;
  grpc::ClientContext context;
  grpc::Status status = outcomes->LogOutcome(&context, log, &stored);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const auto& violation : Violations(status)) fields.push_back(violation.first);
  EXPECT_THAT(fields, Contains("outcome.pain_before"));

  v1::ListOutcomesRequest list;
  list.mutable_filter()->set_patient_id("patient-2");
  v1::ListOutcomesResponse listed;
  grpc::ClientContext list_context;
  ASSERT_TRUE(outcomes->ListOutcomes(&list_context, list, &listed).ok());
  EXPECT_EQ(listed.outcomes_size(), 0);
}

}  // namespace
}  // namespace scoliomassage
