// The questionnaire use cases called directly against a real SQLite store:
// who may record under which therapist, what a therapist may list, and that
// a rejected request stores nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "app/assessments.h"
#include "app/episodes.h"
#include "app_fixture.h"
#include "catalog/instrument_loader.h"

namespace scoliomassage::app::testing {
namespace {

using ::testing::ElementsAre;

class AssessmentsTest : public AppTest {
 protected:
  void SetUp() override {
    AppTest::SetUp();
    auto loaded = catalog::LoadInstruments(catalog::kSourceInstrumentsDir);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    instruments_ = *loaded;
    assessments_ = std::make_unique<Assessments>(*store_, *instruments_, *pseudonyms_);
    episodes_ = std::make_unique<Episodes>(*store_, *instruments_, *pseudonyms_);
  }

  static v1::RecordAssessmentRequest Nrs(const std::string& request_id, int pain,
                                         const std::string& therapist = "") {
    v1::RecordAssessmentRequest request;
    request.set_request_id(request_id);
    v1::Assessment* assessment = request.mutable_assessment();
    assessment->set_patient_id("patient-1");
    assessment->set_instrument_id("nrs");
    assessment->set_therapist_id(therapist);
    assessment->mutable_performed_at()->set_seconds(std::time(nullptr) - 60);
    v1::Answer* answer = assessment->add_answers();
    answer->set_item("1");
    answer->set_value(pain);
    return request;
  }

  v1::ListAssessmentsResponse List(const auth::Caller& caller) {
    v1::ListAssessmentsRequest request;
    request.set_patient_id("patient-1");
    std::string subject;
    auto listed = assessments_->List(caller, request, &subject);
    EXPECT_TRUE(listed.ok()) << listed.status();
    EXPECT_FALSE(subject.empty());
    EXPECT_EQ(subject.find("patient-1"), std::string::npos) << "the audit subject is a pseudonym";
    return listed.ok() ? *listed : v1::ListAssessmentsResponse();
  }

  std::shared_ptr<const catalog::Instruments> instruments_;
  std::unique_ptr<Assessments> assessments_;
  std::unique_ptr<Episodes> episodes_;
};

TEST_F(AssessmentsTest, ATherapistRecordsAsThemselvesAndListsWhatTheyAdministered) {
  std::string subject;
  auto own = assessments_->Record(Therapist("t-1"),
                                  Nrs("11111111-1111-4111-8111-111111111111", 6), &subject);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->therapist_id(), "t-1");
  EXPECT_DOUBLE_EQ(own->scores(0).value(), 6);
  auto other = assessments_->Record(
      Therapist("t-1"), Nrs("22222222-2222-4222-8222-222222222222", 5, "t-2"), &subject);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(other.status()), "NOT_OWNER");
  auto by_host = assessments_->Record(
      Host(), Nrs("33333333-3333-4333-8333-333333333333", 4, "t-2"), &subject);
  ASSERT_TRUE(by_host.ok()) << by_host.status();
  EXPECT_EQ(List(Host()).assessments_size(), 2);
  const auto mine = List(Therapist("t-1"));
  ASSERT_EQ(mine.assessments_size(), 1);
  EXPECT_EQ(mine.assessments(0).therapist_id(), "t-1");
}

TEST_F(AssessmentsTest, ARejectedRequestStoresNothing) {
  std::string subject;
  auto bad = assessments_->Record(Host(), Nrs("44444444-4444-4444-8444-444444444444", 11), &subject);
  EXPECT_THAT(ViolatedFields(bad.status()), ElementsAre("assessment.answers[0].value"));
  auto no_id = assessments_->Record(Host(), Nrs("", 3), &subject);
  EXPECT_THAT(ViolatedFields(no_id.status()), ElementsAre("request_id"));
  EXPECT_EQ(List(Host()).assessments_size(), 0);
  v1::ListEpisodesRequest episodes;
  episodes.set_patient_id("patient-1");
  auto listed = episodes_->List(Host(), episodes, &subject);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->episodes_size(), 0);
}

TEST_F(AssessmentsTest, EchoedOutputFieldsAreReplacedNotTrusted) {
  v1::RecordAssessmentRequest request = Nrs("55555555-5555-4555-8555-555555555555", 7);
  v1::AssessmentScore* forged = request.mutable_assessment()->add_scores();
  forged->set_domain("total");
  forged->set_value(0);
  forged->set_scoreable(true);
  request.mutable_assessment()->set_episode("episodes/00000000000000000000000000000000");
  std::string subject;
  auto stored = assessments_->Record(Host(), request, &subject);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->scores_size(), 1);
  EXPECT_DOUBLE_EQ(stored->scores(0).value(), 7);
  EXPECT_NE(stored->episode(), "episodes/00000000000000000000000000000000");
}

}  // namespace
}  // namespace scoliomassage::app::testing
