// The key clinical rules, through the real server and RecommendProtocol over
// a socket: a suspected DVT refers, limits change the technique, a serious
// adverse event refers until a clearance is recorded, neck work is coded as
// such, and a bad clearance names its field.
#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "in_process_server.h"

namespace scoliomassage {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class ClinicalServerTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    InProcessServerTest::SetUp();
    protocols_ = v1::ProtocolService::NewStub(channel_);
    outcomes_ = v1::OutcomeService::NewStub(channel_);
  }

  static v1::RecommendProtocolRequest Request(const std::string& patient, v1::SpineRegion region) {
    v1::RecommendProtocolRequest request;
    request.set_patient_id(patient);
    auto* profile = request.mutable_profile();
    profile->set_primary_region(region);
    profile->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
    profile->set_convex_side(v1::SIDE_RIGHT);
    profile->set_age_years(30);
    profile->set_cobb_angle_degrees(24);
    profile->set_risser_grade(5);
    request.mutable_screening()->set_pain_nrs(4);
    return request;
  }

  grpc::Status Recommend(const v1::RecommendProtocolRequest& request,
                         v1::RecommendProtocolResponse* response) {
    grpc::ClientContext context;
    return protocols_->RecommendProtocol(&context, request, response);
  }

  static const v1::Card* FindCard(const v1::RecommendProtocolResponse& response,
                                  const std::string& rule) {
    for (const auto& card : response.cards()) {
      if (card.rule_id() == rule) return &card;
    }
    return nullptr;
  }

  std::unique_ptr<v1::ProtocolService::Stub> protocols_;
  std::unique_ptr<v1::OutcomeService::Stub> outcomes_;
};

TEST_F(ClinicalServerTest, SuspectedDvtRefersWithACriticalCard) {
  auto request = Request("patient-dvt", v1::SPINE_REGION_LUMBAR);
  request.mutable_screening()->add_contraindications(v1::CONTRAINDICATION_SUSPECTED_DVT);
  v1::RecommendProtocolResponse response;
  ASSERT_TRUE(Recommend(request, &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_REFER);
  EXPECT_FALSE(response.has_protocol());
  const v1::Card* card = FindCard(response, "screening.refer.suspected_dvt");
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(card->indicator(), v1::INDICATOR_CRITICAL);
}

TEST_F(ClinicalServerTest, OsteoporosisReplacesPercussionInsteadOfRelabellingIt) {
  auto request = Request("patient-bone", v1::SPINE_REGION_THORACIC);
  request.mutable_screening()->add_contraindications(v1::CONTRAINDICATION_SEVERE_OSTEOPOROSIS);
  v1::RecommendProtocolResponse response;
  ASSERT_TRUE(Recommend(request, &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_PROCEED_MODIFIED);
  for (const auto& step : response.protocol().steps()) {
    EXPECT_EQ(step.intensity(), v1::INTENSITY_LIGHT);
    EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_TAPOTEMENT);
    EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_UNSPECIFIED);
    EXPECT_THAT(step.technique(), ::testing::Not(HasSubstr("tapping")));
    if (step.body_area() == v1::BODY_AREA_BACK) {
      EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_FRICTION);
    }
  }
  ASSERT_NE(FindCard(response, "limits.technique_changed"), nullptr);
  EXPECT_EQ(response.protocol().evidence_level(), v1::EVIDENCE_LEVEL_EXPERT_OPINION);
  EXPECT_THAT(response.protocol().source(), HasSubstr("clinic practice description (expert opinion)"));
}

TEST_F(ClinicalServerTest, CervicalScalenesAreNeckWorkAndNeverDeepOrPercussive) {
  auto request = Request("patient-neck", v1::SPINE_REGION_CERVICAL);
  request.set_session_number(8);
  v1::RecommendProtocolResponse response;
  ASSERT_TRUE(Recommend(request, &response).ok());
  bool neck = false;
  for (const auto& step : response.protocol().steps()) {
    neck |= step.body_area() == v1::BODY_AREA_NECK;
    if (step.body_area() == v1::BODY_AREA_NECK || step.body_area() == v1::BODY_AREA_BACK) {
      EXPECT_LE(step.intensity(), v1::INTENSITY_MODERATE);
      EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_TAPOTEMENT);
    }
  }
  EXPECT_TRUE(neck);
}

TEST_F(ClinicalServerTest, NeurologicalEventRefersUntilAClinicianClears) {
  const std::string patient = "patient-neuro";
  auto request = Request(patient, v1::SPINE_REGION_LUMBAR);
  v1::RecommendProtocolResponse first;
  ASSERT_TRUE(Recommend(request, &first).ok());

  const int64_t performed = std::time(nullptr) - 3600;
  v1::LogOutcomeRequest log;
  log.set_request_id("7a0e4c1d-2b3f-4a5e-8c6d-9e0f1a2b3c4d");
  auto* outcome = log.mutable_outcome();
  outcome->set_patient_id(patient);
  outcome->set_therapist_id("therapist-1");
  outcome->set_recommendation_id(first.recommendation_id());
  outcome->set_protocol_id(first.protocol().protocol_id());
  outcome->set_protocol_version(first.protocol().protocol_version());
  outcome->set_session_number(1);
  outcome->set_minutes(15);
  outcome->set_pain_before(5);
  outcome->set_pain_after(3);
  auto* event = outcome->add_adverse_events();
  event->set_type(v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS);
  event->set_severity(v1::SEVERITY_MILD);
  event->set_description("tingling in the left leg the evening after");
  outcome->mutable_performed_at()->set_seconds(performed);
  v1::Outcome stored;
  {
    grpc::ClientContext context;
    grpc::Status status = outcomes_->LogOutcome(&context, log, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The next day: no massage, a CRITICAL card naming the event.
  v1::RecommendProtocolResponse referred;
  ASSERT_TRUE(Recommend(request, &referred).ok());
  EXPECT_EQ(referred.decision(), v1::DECISION_REFER);
  const v1::Card* card = FindCard(referred, "adverse_event.refer");
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(card->indicator(), v1::INDICATOR_CRITICAL);
  EXPECT_THAT(card->summary(), HasSubstr("neurological symptoms (mild)"));

  // A clinician's clearance, recorded by the host: stepped back, with a card.
  auto* clearance = request.add_clearances();
  clearance->set_subject(v1::CLEARANCE_SUBJECT_ADVERSE_EVENT);
  clearance->set_cleared_by("Dr M. Rivera, GP");
  clearance->mutable_cleared_at()->set_seconds(performed + 1800);
  v1::RecommendProtocolResponse cleared;
  ASSERT_TRUE(Recommend(request, &cleared).ok());
  EXPECT_EQ(cleared.decision(), v1::DECISION_PROCEED_MODIFIED);
  EXPECT_EQ(cleared.protocol().total_minutes(), 15);
  EXPECT_EQ(cleared.basis().dose_rule(), "dose.step_back_serious_event");
  ASSERT_EQ(cleared.basis().clearances_used_size(), 1);
  EXPECT_THAT(cleared.basis().clearances_used(0), HasSubstr("Dr M. Rivera, GP"));
  ASSERT_NE(FindCard(cleared, "adverse_event.cleared"), nullptr);
}

TEST_F(ClinicalServerTest, ClearanceWithoutWhoIsInvalidArgumentNamingTheField) {
  auto request = Request("patient-bad", v1::SPINE_REGION_LUMBAR);
  auto* clearance = request.add_clearances();
  clearance->set_subject(v1::CLEARANCE_SUBJECT_SPINAL_SURGERY);
  clearance->mutable_cleared_at()->set_seconds(std::time(nullptr) - 60);
  v1::RecommendProtocolResponse response;
  grpc::Status status = Recommend(request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  std::vector<std::string> fields;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) fields.push_back(violation.field());
    }
  }
  EXPECT_THAT(fields, Contains("clearances[0].cleared_by"));
}

TEST_F(ClinicalServerTest, MinorWithRefusedConsentIsDeferred) {
  auto request = Request("patient-minor", v1::SPINE_REGION_THORACIC);
  request.mutable_profile()->set_age_years(12);
  request.mutable_profile()->clear_risser_grade();
  request.mutable_profile()->set_cobb_angle_degrees(30);
  request.set_guardian_consent(v1::GUARDIAN_CONSENT_REFUSED);
  v1::RecommendProtocolResponse response;
  ASSERT_TRUE(Recommend(request, &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_DEFER);
  EXPECT_NE(FindCard(response, "minor.guardian_consent_refused"), nullptr);
  // A 12-year-old at 30 degrees with no Risser grade is possibly growing.
  EXPECT_NE(FindCard(response, "curve.bracing_window"), nullptr);
}

}  // namespace
}  // namespace scoliomassage
