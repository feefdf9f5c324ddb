// Questionnaires and episodes through the real server over a socket: two ODI
// assessments change the next check-in's cards and basis, bad answers are
// rejected naming the item and store nothing, and an episode's result shows
// baseline against latest.
#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <string>

#include "in_process_server.h"
#include "scoliomassage/v1/assessment.grpc.pb.h"
#include "scoliomassage/v1/episode.grpc.pb.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "status_details.h"

namespace scoliomassage {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;

google::protobuf::Timestamp HoursAgo(int hours) {
  google::protobuf::Timestamp time;
  time.set_seconds(std::time(nullptr) - hours * 3600);
  return time;
}

std::string Uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof(text), "00000000-0000-4000-8000-%012d", n);
  return text;
}

class AssessmentServerTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    InProcessServerTest::SetUp();
    assessments_ = v1::AssessmentService::NewStub(channel_);
    episodes_ = v1::EpisodeService::NewStub(channel_);
    protocols_ = v1::ProtocolService::NewStub(channel_);
    outcomes_ = v1::OutcomeService::NewStub(channel_);
  }

  // ODI answers whose sum is `sum` (score sum / 50 x 100).
  static v1::RecordAssessmentRequest Odi(int request, const std::string& patient, int sum,
                                         int hours_ago) {
    v1::RecordAssessmentRequest r;
    r.set_request_id(Uuid(request));
    v1::Assessment* assessment = r.mutable_assessment();
    assessment->set_patient_id(patient);
    assessment->set_instrument_id("odi");
    *assessment->mutable_performed_at() = HoursAgo(hours_ago);
    for (int item = 1; item <= 10; ++item) {
      v1::Answer* answer = assessment->add_answers();
      answer->set_item(std::to_string(item));
      answer->set_value(std::min(5, std::max(0, sum - 5 * (item - 1))));
    }
    return r;
  }

  grpc::Status Record(const v1::RecordAssessmentRequest& request, v1::Assessment* response) {
    grpc::ClientContext context;
    return assessments_->RecordAssessment(&context, request, response);
  }

  v1::ListAssessmentsResponse List(const std::string& patient) {
    v1::ListAssessmentsRequest request;
    request.set_patient_id(patient);
    v1::ListAssessmentsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(assessments_->ListAssessments(&context, request, &response).ok());
    return response;
  }

  v1::Outcome Log(int request, const std::string& patient, int pain_before, int hours_ago) {
    v1::LogOutcomeRequest log;
    log.set_request_id(Uuid(request));
    v1::Outcome* outcome = log.mutable_outcome();
    outcome->set_patient_id(patient);
    outcome->set_therapist_id("therapist-1");
    outcome->set_protocol_id("lumbar-c-curve");
    outcome->set_protocol_version(1);
    outcome->set_session_number(1);
    outcome->set_minutes(15);
    outcome->set_pain_before(pain_before);
    outcome->set_pain_after(std::max(0, pain_before - 1));
    *outcome->mutable_performed_at() = HoursAgo(hours_ago);
    v1::Outcome stored;
    grpc::ClientContext context;
    grpc::Status status = outcomes_->LogOutcome(&context, log, &stored);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return stored;
  }

  std::unique_ptr<v1::AssessmentService::Stub> assessments_;
  std::unique_ptr<v1::EpisodeService::Stub> episodes_;
  std::unique_ptr<v1::ProtocolService::Stub> protocols_;
  std::unique_ptr<v1::OutcomeService::Stub> outcomes_;
};

TEST_F(AssessmentServerTest, TwoOdiAssessmentsShowInTheNextCheckIn) {
  v1::Assessment first;
  ASSERT_TRUE(Record(Odi(1, "patient-odi", 20, 48), &first).ok());
  ASSERT_EQ(first.scores_size(), 1);
  EXPECT_EQ(first.scores(0).domain(), "total");
  EXPECT_TRUE(first.scores(0).scoreable());
  EXPECT_DOUBLE_EQ(first.scores(0).value(), 40);
  EXPECT_EQ(first.instrument_version(), "2.1a");
  v1::Assessment second;
  ASSERT_TRUE(Record(Odi(2, "patient-odi", 12, 1), &second).ok());
  EXPECT_DOUBLE_EQ(second.scores(0).value(), 24);
  EXPECT_EQ(second.episode(), first.episode());

  v1::RecommendProtocolRequest request;
  request.set_patient_id("patient-odi");
  request.mutable_profile()->set_primary_region(v1::SPINE_REGION_LUMBAR);
  request.mutable_profile()->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  request.mutable_profile()->set_convex_side(v1::SIDE_RIGHT);
  request.mutable_profile()->set_age_years(34);
  request.mutable_profile()->set_cobb_angle_degrees(22);
  request.mutable_screening()->set_pain_nrs(4);
  v1::RecommendProtocolResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(protocols_->RecommendProtocol(&context, request, &response).ok());
  const v1::Card* card = nullptr;
  for (const v1::Card& c : response.cards()) {
    if (c.rule_id() == "assessment.change") card = &c;
  }
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(card->indicator(), v1::INDICATOR_INFO);
  EXPECT_EQ(card->summary(),
            "ODI fell from 40 to 24: a meaningful improvement (MCID 10 points or 30% of baseline)");
  EXPECT_THAT(card->source(), HasSubstr("Ostelo RW"));
  bool in_basis = false;
  for (const v1::FiredRule& rule : response.basis().rules()) {
    in_basis = in_basis || (rule.rule_id() == "assessment.latest" &&
                            rule.description().find(second.name()) != std::string::npos);
  }
  EXPECT_TRUE(in_basis);
  EXPECT_THAT(response.basis().summary(), HasSubstr("ODI fell from 40 to 24"));
}

TEST_F(AssessmentServerTest, BadAnswersAreRejectedNamingTheItemAndNothingIsStored) {
  v1::RecordAssessmentRequest bad = Odi(3, "patient-bad", 20, 1);
  bad.mutable_assessment()->mutable_answers(3)->set_value(9);  // item "4" takes 0-5
  v1::Assessment response;
  grpc::Status status = Record(bad, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = testing::FieldViolations(status);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "assessment.answers[3].value");
  EXPECT_THAT(violations[0].second, HasSubstr("item \"4\""));
  EXPECT_EQ(List("patient-bad").assessments_size(), 0);
  // Nothing stored means no episode either.
  v1::ListEpisodesRequest list;
  list.set_patient_id("patient-bad");
  v1::ListEpisodesResponse episodes;
  grpc::ClientContext context;
  ASSERT_TRUE(episodes_->ListEpisodes(&context, list, &episodes).ok());
  EXPECT_EQ(episodes.episodes_size(), 0);

  v1::RecordAssessmentRequest unknown = Odi(4, "patient-bad", 20, 1);
  unknown.mutable_assessment()->set_instrument_id("sf36");
  status = Record(unknown, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(testing::FieldViolations(status),
              Contains(Pair("assessment.instrument_id", HasSubstr("not a loaded instrument"))));
  EXPECT_EQ(List("patient-bad").assessments_size(), 0);
}

TEST_F(AssessmentServerTest, TooManyMissingItemsIsReportedUnscoreableNotZero) {
  v1::RecordAssessmentRequest partial = Odi(5, "patient-partial", 20, 1);
  partial.mutable_assessment()->mutable_answers()->DeleteSubrange(0, 2);
  v1::Assessment stored;
  ASSERT_TRUE(Record(partial, &stored).ok());
  ASSERT_EQ(stored.scores_size(), 1);
  EXPECT_FALSE(stored.scores(0).scoreable());
  EXPECT_THAT(stored.scores(0).reason(), HasSubstr("8 of 10"));
}

TEST_F(AssessmentServerTest, AnEpisodeComparesBaselineWithLatestAndClosesAtDischarge) {
  v1::Outcome first = Log(10, "patient-ep", 7, 72);
  Log(11, "patient-ep", 6, 48);
  v1::Outcome last = Log(12, "patient-ep", 4, 2);
  EXPECT_EQ(last.episode(), first.episode());
  v1::Assessment ignored;
  ASSERT_TRUE(Record(Odi(13, "patient-ep", 20, 71), &ignored).ok());
  ASSERT_TRUE(Record(Odi(14, "patient-ep", 15, 3), &ignored).ok());

  v1::GetEpisodeResultRequest get;
  get.set_name(first.episode());
  v1::EpisodeResult result;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(episodes_->GetEpisodeResult(&context, get, &result).ok());
  }
  std::map<std::string, v1::EpisodeChange> changes;
  for (const v1::EpisodeChange& change : result.changes()) changes[change.measure()] = change;
  ASSERT_EQ(changes.count("pain"), 1u);
  EXPECT_EQ(changes["pain"].baseline(), 7);
  EXPECT_EQ(changes["pain"].latest(), 4);
  EXPECT_TRUE(changes["pain"].meaningful());
  ASSERT_EQ(changes.count("odi"), 1u);
  EXPECT_DOUBLE_EQ(changes["odi"].baseline(), 40);
  EXPECT_DOUBLE_EQ(changes["odi"].latest(), 30);
  EXPECT_TRUE(changes["odi"].meaningful());  // 10 points

  v1::CloseEpisodeRequest close;
  close.set_name(first.episode());
  v1::Episode closed;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(episodes_->CloseEpisode(&context, close, &closed).ok());
  }
  EXPECT_FALSE(closed.open());
  v1::Outcome next = Log(15, "patient-ep", 5, 0);
  EXPECT_NE(next.episode(), first.episode());
  v1::OpenEpisodeRequest open;
  open.set_request_id(Uuid(16));
  open.set_patient_id("patient-ep");
  v1::Episode opened;
  grpc::ClientContext context;
  grpc::Status refused = episodes_->OpenEpisode(&context, open, &opened);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(testing::ErrorReason(refused), "EPISODE_ALREADY_OPEN");
}

}  // namespace
}  // namespace scoliomassage
