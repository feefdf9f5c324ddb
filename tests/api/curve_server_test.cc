// Curves over time through the real server over a socket: a host records
// three films, and the next check-in (which sends no Cobb angle) takes the
// latest one and warns of rapid progression; bad input names the field and
// stores nothing; the health service knows CurveService.
#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "in_process_server.h"
#include "scoliomassage/v1/curve.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "status_details.h"

namespace scoliomassage {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;

constexpr int64_t kDaySeconds = 86400;

class CurveServerTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    InProcessServerTest::SetUp();
    curves_ = v1::CurveService::NewStub(channel_);
    protocols_ = v1::ProtocolService::NewStub(channel_);
  }

  static std::string Uuid(int n) {
    return absl::StrCat("00000000-0000-4000-8000-", std::string(12 - std::to_string(n).size(), '0'),
                        n);
  }

  static v1::CurveMeasurement Film(const std::string& patient, int days_ago, double cobb) {
    v1::CurveMeasurement film;
    film.set_patient_id(patient);
    film.mutable_taken_at()->set_seconds(std::time(nullptr) - days_ago * kDaySeconds);
    film.set_spine_region(v1::SPINE_REGION_THORACIC);
    film.set_cobb_angle_degrees(cobb);
    film.set_convex_side(v1::SIDE_RIGHT);
    film.set_apex("T8");
    film.set_measured_by("dr-radiology");
    return film;
  }

  grpc::Status Record(int n, const v1::CurveMeasurement& film, v1::CurveMeasurement* stored) {
    v1::RecordCurveMeasurementRequest request;
    request.set_request_id(Uuid(n));
    *request.mutable_measurement() = film;
    grpc::ClientContext context;
    return curves_->RecordCurveMeasurement(&context, request, stored);
  }

  v1::ListCurveMeasurementsResponse List(const std::string& patient) {
    v1::ListCurveMeasurementsRequest request;
    request.set_patient_id(patient);
    v1::ListCurveMeasurementsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(curves_->ListCurveMeasurements(&context, request, &response).ok());
    return response;
  }

  static const v1::Card* FindCard(const v1::RecommendProtocolResponse& response,
                                  const std::string& rule) {
    for (const auto& card : response.cards()) {
      if (card.rule_id() == rule) return &card;
    }
    return nullptr;
  }

  std::unique_ptr<v1::CurveService::Stub> curves_;
  std::unique_ptr<v1::ProtocolService::Stub> protocols_;
};

TEST_F(CurveServerTest, ThreeFilmsShowRapidProgressionAtTheNextCheckIn) {
  // 18 -> 21 -> 27 degrees: the last 6 degrees in about 4 months.
  v1::CurveMeasurement first, second, third;
  auto film = Film("teen-1", 300, 18);
  film.set_risser_grade(1);
  ASSERT_TRUE(Record(1, film, &first).ok());
  ASSERT_TRUE(Record(2, Film("teen-1", 130, 21), &second).ok());
  grpc::Status recorded = Record(3, Film("teen-1", 10, 27), &third);
  ASSERT_TRUE(recorded.ok()) << recorded.error_message();
  EXPECT_EQ(List("teen-1").measurements_size(), 3);
  EXPECT_EQ(List("teen-1").measurements(0).name(), third.name());

  v1::RecommendProtocolRequest request;
  request.set_patient_id("teen-1");
  auto* profile = request.mutable_profile();
  profile->set_primary_region(v1::SPINE_REGION_THORACIC);
  profile->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  profile->set_convex_side(v1::SIDE_RIGHT);
  profile->set_age_years(13);
  request.mutable_screening()->set_pain_nrs(3);
  v1::RecommendProtocolResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(protocols_->RecommendProtocol(&context, request, &response).ok());

  EXPECT_EQ(response.basis().curve_measurement(), third.name());
  EXPECT_EQ(response.basis().curve_severity(), "moderate (21-35 degrees)");
  EXPECT_THAT(response.basis().summary(), HasSubstr("Cobb angle from the latest stored film"));
  EXPECT_THAT(response.basis().curve_progression(), HasSubstr("rapid: +6 degrees (21 to 27)"));
  const v1::Card* rapid = FindCard(response, "curve.rapid_progression");
  ASSERT_NE(rapid, nullptr);
  EXPECT_EQ(rapid->indicator(), v1::INDICATOR_WARNING);
  EXPECT_THAT(rapid->detail(), HasSubstr("Risser 1"));
  // Growing and 25-45 degrees: the bracing window card uses the film's angle.
  EXPECT_NE(FindCard(response, "curve.bracing_window"), nullptr);
  EXPECT_EQ(FindCard(response, "curve.no_imaging"), nullptr);
}

TEST_F(CurveServerTest, BadInputNamesTheFieldAndStoresNothing) {
  auto film = Film("p-bad", 1, 130);
  film.set_risser_grade(7);
  v1::CurveMeasurement stored;
  grpc::Status status = Record(10, film, &stored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto violations = testing::FieldViolations(status);
  EXPECT_THAT(violations, Contains(Key("measurement.cobb_angle_degrees")));
  EXPECT_THAT(violations, Contains(Key("measurement.risser_grade")));
  EXPECT_EQ(List("p-bad").measurements_size(), 0);

  // A reused request id with another body is refused, and changes nothing.
  ASSERT_TRUE(Record(11, Film("p-bad", 1, 20), &stored).ok());
  status = Record(11, Film("p-bad", 1, 22), &stored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_EQ(List("p-bad").measurements_size(), 1);
  EXPECT_DOUBLE_EQ(List("p-bad").measurements(0).cobb_angle_degrees(), 20);
}

TEST_F(CurveServerTest, AmendKeepsTheOldRevisionAndHealthKnowsTheService) {
  v1::CurveMeasurement stored;
  ASSERT_TRUE(Record(20, Film("p-amend", 5, 20), &stored).ok());
  v1::AmendCurveMeasurementRequest amend;
  amend.set_request_id(Uuid(21));
  amend.set_name(stored.name());
  *amend.mutable_measurement() = Film("p-amend", 5, 24);
  v1::CurveMeasurement amended;
  {
    grpc::ClientContext context;
    grpc::Status status = curves_->AmendCurveMeasurement(&context, amend, &amended);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(testing::FieldViolations(status), Contains(Key("reason")));
  }
  amend.set_reason("second reader");
  {
    grpc::ClientContext context;
    ASSERT_TRUE(curves_->AmendCurveMeasurement(&context, amend, &amended).ok());
  }
  EXPECT_EQ(amended.revision(), 2);
  v1::GetCurveMeasurementRequest get;
  get.set_name(stored.name());
  get.set_revision(1);
  v1::CurveMeasurement first;
  grpc::ClientContext get_context;
  ASSERT_TRUE(curves_->GetCurveMeasurement(&get_context, get, &first).ok());
  EXPECT_DOUBLE_EQ(first.cobb_angle_degrees(), 20);

  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest check;
  check.set_service("scoliomassage.v1.CurveService");
  grpc::health::v1::HealthCheckResponse serving;
  grpc::ClientContext health_context;
  ASSERT_TRUE(health->Check(&health_context, check, &serving).ok());
  EXPECT_EQ(serving.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace scoliomassage
