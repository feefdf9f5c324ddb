#include "api/status_conversion.h"

#include <string>

#include "base/error_reasons.h"
#include "core/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace scoliomassage::api {
namespace {

// A reason for callers that switch on ErrorInfo.reason when the core set none.
std::string DefaultReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return base::kReasonInvalidRequest;
    case absl::StatusCode::kNotFound: return base::kReasonNotFound;
    case absl::StatusCode::kAlreadyExists: return base::kReasonRequestIdReused;
    case absl::StatusCode::kPermissionDenied: return base::kReasonPermissionDenied;
    case absl::StatusCode::kUnauthenticated: return base::kReasonUnauthenticated;
    case absl::StatusCode::kResourceExhausted: return base::kReasonResourceExhausted;
    case absl::StatusCode::kUnavailable: return base::kReasonUnavailable;
    case absl::StatusCode::kFailedPrecondition: return base::kReasonFailedPrecondition;
    case absl::StatusCode::kDeadlineExceeded: return base::kReasonDeadlineExceeded;
    case absl::StatusCode::kCancelled: return base::kReasonCancelled;
    default: return base::kReasonInternal;
  }
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());

  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);

  const auto violations = core::FieldViolationsOf(status);
  if (!violations.empty()) {
    google::rpc::BadRequest bad_request;
    for (const auto& [field, description] : violations) {
      auto* violation = bad_request.add_field_violations();
      violation->set_field(field);
      violation->set_description(description);
    }
    details.add_details()->PackFrom(bad_request);
  }

  google::rpc::ErrorInfo info;
  auto reason = status.GetPayload(core::kReasonTypeUrl);
  info.set_reason(reason ? std::string(*reason) : DefaultReason(status.code()));
  info.set_domain(core::kErrorDomain);
  details.add_details()->PackFrom(info);

  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace scoliomassage::api
