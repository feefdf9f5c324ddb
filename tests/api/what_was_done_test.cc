// What was done, through the real server: an outcome says how the session
// followed the recommendation it names, which must be this clinic's
// recommendation for the same patient, and its step changes must name that
// recommendation's steps. Adverse events can be followed up by amendment.
#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "absl/strings/str_cat.h"
#include "in_process_server.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "status_details.h"

namespace scoliomassage {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Key;

class WhatWasDoneTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    InProcessServerTest::SetUp();
    protocols_ = v1::ProtocolService::NewStub(channel_);
    outcomes_ = v1::OutcomeService::NewStub(channel_);
  }

  v1::RecommendProtocolResponse Recommend(const std::string& patient) {
    v1::RecommendProtocolRequest request;
    request.set_patient_id(patient);
    auto* profile = request.mutable_profile();
    profile->set_primary_region(v1::SPINE_REGION_LUMBAR);
    profile->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
    profile->set_convex_side(v1::SIDE_RIGHT);
    profile->set_age_years(34);
    profile->set_cobb_angle_degrees(22);
    request.mutable_screening()->set_pain_nrs(4);
    v1::RecommendProtocolResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(protocols_->RecommendProtocol(&context, request, &response).ok());
    return response;
  }

  static v1::LogOutcomeRequest Log(int n, const std::string& patient,
                                   const v1::RecommendProtocolResponse& recommended) {
    v1::LogOutcomeRequest request;
    request.set_request_id(absl::StrCat("00000000-0000-4000-9000-00000000000", n));
    v1::Outcome* outcome = request.mutable_outcome();
    outcome->set_patient_id(patient);
    outcome->set_therapist_id("t-1");
    outcome->set_recommendation_id(recommended.recommendation_id());
    outcome->set_protocol_id(recommended.protocol().protocol_id());
    outcome->set_protocol_version(recommended.protocol().protocol_version());
    outcome->set_session_number(1);
    outcome->set_minutes(15);
    outcome->set_pain_before(4);
    outcome->set_pain_after(2);
    outcome->mutable_performed_at()->set_seconds(std::time(nullptr) - 3600);
    return request;
  }

  grpc::Status Send(const v1::LogOutcomeRequest& request, v1::Outcome* stored) {
    grpc::ClientContext context;
    return outcomes_->LogOutcome(&context, request, stored);
  }

  std::unique_ptr<v1::ProtocolService::Stub> protocols_;
  std::unique_ptr<v1::OutcomeService::Stub> outcomes_;
};

TEST_F(WhatWasDoneTest, AModifiedSessionRecordsTheSkippedStepAndItsReason) {
  const auto recommended = Recommend("p-1");
  ASSERT_GE(recommended.protocol().steps_size(), 2);
  auto request = Log(1, "p-1", recommended);
  request.mutable_outcome()->set_adherence(v1::ADHERENCE_MODIFIED);
  auto* change = request.mutable_outcome()->add_step_changes();
  change->set_step_order(recommended.protocol().steps(0).order());
  change->set_body_area(recommended.protocol().steps(0).body_area());
  change->set_kind(v1::STEP_CHANGE_KIND_SKIPPED);
  change->set_reason("patient asked to skip the legs today");
  v1::Outcome stored;
  grpc::Status status = Send(request, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stored.adherence(), v1::ADHERENCE_MODIFIED);
  ASSERT_EQ(stored.step_changes_size(), 1);
  EXPECT_EQ(stored.step_changes(0).reason(), "patient asked to skip the legs today");
  EXPECT_EQ(stored.recommendation_id(), recommended.recommendation_id());
}

TEST_F(WhatWasDoneTest, TheRecommendationMustExistBeThisPatientsAndHaveTheStep) {
  const auto recommended = Recommend("p-2");
  v1::Outcome stored;

  auto unknown = Log(2, "p-2", recommended);
  unknown.mutable_outcome()->set_recommendation_id("recommendations/0000");
  EXPECT_EQ(Send(unknown, &stored).error_code(), grpc::StatusCode::NOT_FOUND);

  auto other_patient = Log(3, "p-other", recommended);
  grpc::Status status = Send(other_patient, &stored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(testing::FieldViolations(status), ElementsAre(Key("outcome.recommendation_id")));

  auto no_such_step = Log(4, "p-2", recommended);
  no_such_step.mutable_outcome()->set_adherence(v1::ADHERENCE_MODIFIED);
  auto* change = no_such_step.mutable_outcome()->add_step_changes();
  change->set_step_order(99);
  change->set_kind(v1::STEP_CHANGE_KIND_MODIFIED);
  change->set_reason("shorter");
  status = Send(no_such_step, &stored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(testing::FieldViolations(status),
              ElementsAre(Key("outcome.step_changes[0].step_order")));

  auto contradiction = Log(5, "p-2", recommended);
  contradiction.mutable_outcome()->set_adherence(v1::ADHERENCE_AS_RECOMMENDED);
  *contradiction.mutable_outcome()->add_step_changes() = *change;
  status = Send(contradiction, &stored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(testing::FieldViolations(status), Contains(Key("outcome.step_changes")));

  auto no_reason = Log(6, "p-2", recommended);
  no_reason.mutable_outcome()->set_adherence(v1::ADHERENCE_NOT_FOLLOWED);
  status = Send(no_reason, &stored);
  EXPECT_THAT(testing::FieldViolations(status), ElementsAre(Key("outcome.adherence_reason")));

  // Nothing of the above was stored.
  v1::ListOutcomesRequest list;
  list.mutable_filter()->set_patient_id("p-2");
  v1::ListOutcomesResponse listed;
  grpc::ClientContext context;
  ASSERT_TRUE(outcomes_->ListOutcomes(&context, list, &listed).ok());
  EXPECT_EQ(listed.outcomes_size(), 0);
}

TEST_F(WhatWasDoneTest, SorenessFollowedUpByAmendmentStepsTheNextSessionBack) {
  const auto recommended = Recommend("p-sore");
  auto request = Log(7, "p-sore", recommended);
  const int64_t session = std::time(nullptr) - 4 * 86400;
  request.mutable_outcome()->mutable_performed_at()->set_seconds(session);
  request.mutable_outcome()->set_minutes(20);
  v1::AdverseEvent* event = request.mutable_outcome()->add_adverse_events();
  event->set_type(v1::ADVERSE_EVENT_TYPE_INCREASED_PAIN);
  event->set_severity(v1::SEVERITY_MILD);
  event->mutable_onset_time()->set_seconds(session + 3600);
  event->set_resolution(v1::ADVERSE_EVENT_RESOLUTION_RESOLVED);
  event->mutable_resolved_time()->set_seconds(session + 7200);
  v1::Outcome logged;
  ASSERT_TRUE(Send(request, &logged).ok());
  EXPECT_EQ(Recommend("p-sore").basis().dose_rule(), "dose.hold_mild_event");

  // At follow-up the soreness turns out to have lasted three days.
  v1::AmendOutcomeRequest amend;
  amend.set_request_id("00000000-0000-4000-9000-000000000008");
  amend.set_name(logged.name());
  *amend.mutable_outcome() = logged;
  v1::AdverseEvent* followed = amend.mutable_outcome()->mutable_adverse_events(0);
  followed->mutable_resolved_time()->set_seconds(session + 3600 + 72 * 3600);
  followed->set_action_taken(v1::ADVERSE_EVENT_ACTION_SELF_CARE_ADVICE);
  amend.set_reason("follow-up call: soreness lasted three days");
  v1::Outcome amended;
  grpc::ClientContext context;
  grpc::Status status = outcomes_->AmendOutcome(&context, amend, &amended);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(amended.revision(), 2);
  EXPECT_EQ(amended.adverse_events(0).action_taken(), v1::ADVERSE_EVENT_ACTION_SELF_CARE_ADVICE);

  const auto next = Recommend("p-sore");
  EXPECT_EQ(next.basis().dose_rule(), "dose.step_back_moderate_event");
  EXPECT_EQ(next.protocol().total_minutes(), 15);
}

}  // namespace
}  // namespace scoliomassage
