#include "api/status_conversion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace scoliomassage::api {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// What a client decodes from the grpc-status-details-bin trailer.
struct Decoded {
  google::rpc::Status status;
  std::vector<std::pair<std::string, std::string>> violations;
  std::string reason;
  std::string domain;
  int error_infos = 0;
};

Decoded Decode(const grpc::Status& status) {
  Decoded decoded;
  EXPECT_TRUE(decoded.status.ParseFromString(status.error_details()));
  for (const auto& any : decoded.status.details()) {
    google::rpc::BadRequest bad_request;
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        decoded.violations.emplace_back(violation.field(), violation.description());
      }
    } else if (any.UnpackTo(&info)) {
      ++decoded.error_infos;
      decoded.reason = info.reason();
      decoded.domain = info.domain();
    }
  }
  return decoded;
}

TEST(ToGrpcStatus, OkHasNoDetails) {
  const grpc::Status status = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(status.error_details().empty());
}

TEST(ToGrpcStatus, FieldViolationsRoundTripAsBadRequest) {
  core::FieldViolations violations;
  violations.Add("outcome.pain_before", "must be between 0 and 10");
  violations.Add("outcome.tension[0].after", "must be between 0 and 3");
  const absl::Status source = violations.ToStatus();
  const grpc::Status status = ToGrpcStatus(source);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), std::string(source.message()));
  const Decoded decoded = Decode(status);
  EXPECT_EQ(decoded.status.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(decoded.status.message(), status.error_message());
  EXPECT_THAT(decoded.violations,
              ElementsAre(Pair("outcome.pain_before", "must be between 0 and 10"),
                          Pair("outcome.tension[0].after", "must be between 0 and 3")));
  EXPECT_EQ(decoded.reason, "INVALID_REQUEST");
  EXPECT_EQ(decoded.domain, "scoliomassage.v1");
  EXPECT_EQ(decoded.error_infos, 1);
}

TEST(ToGrpcStatus, AnExplicitReasonWins) {
  const grpc::Status status = ToGrpcStatus(
      core::WithReason(absl::UnavailableError("database down"), "STORE_UNAVAILABLE"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  const Decoded decoded = Decode(status);
  EXPECT_TRUE(decoded.violations.empty());
  EXPECT_EQ(decoded.reason, "STORE_UNAVAILABLE");
  EXPECT_EQ(decoded.domain, "scoliomassage.v1");
}

TEST(ToGrpcStatus, EveryErrorCarriesADefaultReasonByCode) {
  const std::pair<absl::Status, const char*> cases[] = {
      {absl::InvalidArgumentError("x"), "INVALID_REQUEST"},
      {absl::NotFoundError("x"), "NOT_FOUND"},
      {absl::AlreadyExistsError("x"), "REQUEST_ID_REUSED"},
      {absl::PermissionDeniedError("x"), "PERMISSION_DENIED"},
      {absl::UnauthenticatedError("x"), "UNAUTHENTICATED"},
      {absl::ResourceExhaustedError("x"), "RESOURCE_EXHAUSTED"},
      {absl::UnavailableError("x"), "UNAVAILABLE"},
      {absl::FailedPreconditionError("x"), "FAILED_PRECONDITION"},
      {absl::DeadlineExceededError("x"), "DEADLINE_EXCEEDED"},
      {absl::CancelledError("x"), "CANCELLED"},
      {absl::InternalError("x"), "INTERNAL"},
      {absl::DataLossError("x"), "INTERNAL"},
  };
  for (const auto& [source, reason] : cases) {
    const grpc::Status status = ToGrpcStatus(source);
    EXPECT_EQ(static_cast<int>(status.error_code()), static_cast<int>(source.code()));
    EXPECT_EQ(Decode(status).reason, reason) << source;
  }
}

}  // namespace
}  // namespace scoliomassage::api
