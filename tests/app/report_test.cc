// The patient report's access rules and data, through app::Reports against a
// real SQLite store: who may see which sessions, NOT_FOUND across clinics,
// the audit subject, and that the page shows what was logged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "absl/strings/str_cat.h"

#include "app/report.h"
#include "app_fixture.h"

namespace scoliomassage::app::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ReportTest : public AppTest {
 protected:
  void SetUp() override {
    AppTest::SetUp();
    reports_ = std::make_unique<Reports>(*store_, *pseudonyms_);
  }

  // Logs session `number` for `patient` by `therapist`, `days_ago` days ago.
  void LogSession(const std::string& patient, const std::string& therapist, int number,
                  int before, int after, int days_ago) {
    v1::LogOutcomeRequest request = LogRequest(patient);
    v1::Outcome* outcome = request.mutable_outcome();
    outcome->set_therapist_id(therapist);
    outcome->set_session_number(number);
    outcome->set_pain_before(before);
    outcome->set_pain_after(after);
    outcome->mutable_performed_at()->set_seconds(std::time(nullptr) - 600 -
                                                 int64_t{days_ago} * 86400);
    MustLog(Admin(), request);
  }

  absl::StatusOr<v1::PatientReport> Get(const auth::Caller& caller, const std::string& patient,
                                        v1::ReportFormat format = v1::REPORT_FORMAT_HTML) {
    v1::GetPatientReportRequest request;
    request.set_patient_id(patient);
    request.set_format(format);
    subject_.clear();
    return reports_->Get(caller, request, &subject_);
  }

  std::unique_ptr<Reports> reports_;
  std::string subject_;
};

TEST_F(ReportTest, HostAndAdminSeeEverySessionOfTheirClinicsPatient) {
  LogSession("p-1", "therapist-1", 1, 6, 4, 20);
  LogSession("p-1", "therapist-2", 2, 5, 3, 13);
  LogSession("p-1", "therapist-1", 3, 3, 2, 6);
  for (const auth::Caller& caller : {Host(), Admin()}) {
    auto report = Get(caller, "p-1");
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->session_count(), 3);
    EXPECT_EQ(report->content_type(), "text/html; charset=utf-8");
    EXPECT_THAT(report->content(),
                HasSubstr("Pre-session pain fell from 6 to 3 over 3 sessions: a meaningful "
                          "improvement."));
    EXPECT_THAT(report->content(), HasSubstr("Next session: 20 minutes"));
    // The audit trail gets the pseudonym, never the patient id.
    EXPECT_EQ(subject_, pseudonyms_->Pseudonym("clinic-a", "p-1"));
  }
}

TEST_F(ReportTest, ATherapistSeesOnlyTheSessionsTheyLogged) {
  LogSession("p-1", "therapist-1", 1, 6, 4, 20);
  LogSession("p-1", "therapist-2", 2, 5, 3, 13);
  auto own = Get(Therapist("therapist-1"), "p-1");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->session_count(), 1);
  EXPECT_THAT(own->content(), HasSubstr("1 more of this patient&#39;s sessions were logged by "
                                        "other therapists"));
  // The latest session is therapist-2's: its plan is not shown to therapist-1.
  EXPECT_THAT(own->content(), HasSubstr("logged by another therapist"));
  EXPECT_THAT(own->content(), Not(HasSubstr("therapist-2")));

  auto none = Get(Therapist("therapist-3"), "p-1");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(none.status()), "NOT_OWNER");
}

TEST_F(ReportTest, AnalyticsNeverGetsAReport) {
  LogSession("p-1", "therapist-1", 1, 6, 4, 2);
  auto report = Get(Analytics(), "p-1");
  EXPECT_EQ(report.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(report.status()), "ROLE_NOT_ALLOWED");
}

TEST_F(ReportTest, AnotherClinicsPatientIsNotFound) {
  LogSession("p-1", "therapist-1", 1, 6, 4, 2);
  auth::Caller other{"frontdesk-b", auth::Role::kHost, "clinic-b"};
  EXPECT_EQ(Get(other, "p-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(Host(), "p-unknown").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ReportTest, BadInputNamesTheField) {
  EXPECT_THAT(ViolatedFields(Get(Host(), "").status()), ::testing::ElementsAre("patient_id"));
  EXPECT_THAT(ViolatedFields(Get(Host(), std::string(129, 'p')).status()),
              ::testing::ElementsAre("patient_id"));
  EXPECT_THAT(ViolatedFields(Get(Host(), "p-1", static_cast<v1::ReportFormat>(99)).status()),
              ::testing::ElementsAre("format"));
}

TEST_F(ReportTest, OneSessionIsNotEnoughDataAndSvgIsTheChartAlone) {
  LogSession("p-1", "therapist-1", 1, 6, 4, 2);
  auto html = Get(Host(), "p-1");
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_THAT(html->content(), HasSubstr("Not enough data for a trend"));
  auto svg = Get(Host(), "p-1", v1::REPORT_FORMAT_SVG);
  ASSERT_TRUE(svg.ok()) << svg.status();
  EXPECT_EQ(svg->content_type(), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(svg->content().rfind("<?xml", 0), 0u);
  EXPECT_THAT(svg->content(), Not(HasSubstr("<html")));
}

TEST_F(ReportTest, ASeriousAdverseEventShowsAsReferNotADose) {
  v1::LogOutcomeRequest request = LogRequest("p-1");
  v1::AdverseEvent* event = request.mutable_outcome()->add_adverse_events();
  event->set_type(v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS);
  event->set_severity(v1::SEVERITY_MILD);
  MustLog(Admin(), request);
  auto report = Get(Host(), "p-1");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->content(), HasSubstr("no massage until a clinician has assessed"));
  EXPECT_THAT(report->content(), HasSubstr("class=\"critical\""));
  EXPECT_THAT(report->content(), HasSubstr("neurological symptoms (mild)"));
}

TEST_F(ReportTest, FilmsAndQuestionnaireScoresAreDrawnOldestFirst) {
  LogSession("p-1", "therapist-1", 1, 6, 4, 20);
  const int64_t now = std::time(nullptr);
  for (int i = 0; i < 2; ++i) {
    v1::CurveMeasurement film;
    film.set_patient_id("p-1");
    film.mutable_taken_at()->set_seconds(now - (i == 0 ? 200 : 100) * 86400);
    film.set_spine_region(v1::SPINE_REGION_THORACIC);
    film.set_cobb_angle_degrees(i == 0 ? 22 : 28);
    film.set_convex_side(v1::SIDE_RIGHT);
    film.set_measured_by("dr-a");
    ASSERT_TRUE(store_->RecordCurveMeasurement("clinic-a", absl::StrCat("film-", i), film).ok());
  }
  v1::Assessment odi;
  odi.set_patient_id("p-1");
  odi.set_instrument_id("odi");
  odi.set_instrument_version("2.1a");
  odi.set_therapist_id("therapist-1");
  odi.mutable_performed_at()->set_seconds(now - 86400);
  v1::AssessmentScore* total = odi.add_scores();
  total->set_domain("total");
  total->set_value(34);
  total->set_scoreable(true);
  v1::AssessmentScore* unscoreable = odi.add_scores();
  unscoreable->set_domain("other");
  unscoreable->set_scoreable(false);
  ASSERT_TRUE(store_->RecordAssessment("clinic-a", "odi-1", odi).ok());

  v1::GetPatientReportRequest request;
  request.set_patient_id("p-1");
  auto input = reports_->Gather(Host(), request, &subject_);
  ASSERT_TRUE(input.ok()) << input.status();
  ASSERT_EQ(input->films.size(), 2u);
  EXPECT_EQ(input->films[0].cobb_angle_degrees, 22);  // the older film first
  EXPECT_EQ(input->films[1].cobb_angle_degrees, 28);
  EXPECT_EQ(input->films[0].spine_region, "thoracic");
  // Only the scoreable domain is drawn: an unscoreable one is never a value.
  ASSERT_EQ(input->scores.size(), 1u);
  EXPECT_EQ(input->scores[0].instrument, "ODI");
  EXPECT_EQ(input->scores[0].domain, "total");
  EXPECT_EQ(input->scores[0].value, 34);
  auto report = Get(Host(), "p-1");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->content(), Not(HasSubstr("No films recorded")));
  // Another therapist does not see therapist-1's questionnaire.
  LogSession("p-1", "therapist-2", 2, 5, 4, 10);
  auto theirs = reports_->Gather(Therapist("therapist-2"), request, &subject_);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_TRUE(theirs->scores.empty());
  EXPECT_EQ(theirs->films.size(), 2u);
}

}  // namespace
}  // namespace scoliomassage::app::testing
