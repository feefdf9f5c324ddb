#include "http/status_conversion.h"

#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace scoliomassage::http {
namespace {

// As api/status_conversion.cc: a reason for callers when the core set none.
std::string DefaultReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return "INVALID_REQUEST";
    case absl::StatusCode::kNotFound: return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists: return "REQUEST_ID_REUSED";
    case absl::StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case absl::StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
    case absl::StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kUnavailable: return "UNAVAILABLE";
    case absl::StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case absl::StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kCancelled: return "CANCELLED";
    default: return "INTERNAL";
  }
}

std::string ReasonOf(const absl::Status& status) {
  auto reason = status.GetPayload(core::kReasonTypeUrl);
  return reason ? std::string(*reason) : DefaultReason(status.code());
}

// FHIR's IssueType for a status code (http://hl7.org/fhir/issue-type).
const char* FhirIssueType(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return "invalid";
    case absl::StatusCode::kUnauthenticated: return "login";
    case absl::StatusCode::kPermissionDenied: return "forbidden";
    case absl::StatusCode::kNotFound: return "not-found";
    case absl::StatusCode::kAlreadyExists: return "duplicate";
    case absl::StatusCode::kResourceExhausted: return "throttled";
    case absl::StatusCode::kUnavailable: return "transient";
    case absl::StatusCode::kDeadlineExceeded: return "timeout";
    case absl::StatusCode::kUnimplemented: return "not-supported";
    case absl::StatusCode::kFailedPrecondition: return "processing";
    case absl::StatusCode::kCancelled: return "incomplete";
    default: return "exception";
  }
}

}  // namespace

int HttpStatusOf(const absl::Status& status) {
  const std::string reason = ReasonOf(status);
  if (reason == kReasonPrefetchMissing || reason == kReasonPrefetchFetchFailed) return 412;
  if (reason == kReasonPayloadTooLarge) return 413;
  if (reason == kReasonUnsupportedMedia) return 415;
  if (reason == kReasonOverloaded) return 503;
  // google.rpc.Code's documented HTTP mapping.
  switch (status.code()) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kFailedPrecondition: return 400;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists: return 409;
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

HttpError ToHttpError(const absl::Status& status) {
  HttpError error;
  error.status = HttpStatusOf(status);
  nlohmann::json body;
  body["status"] = error.status;
  body["code"] = absl::StatusCodeToString(status.code());
  body["reason"] = ReasonOf(status);
  body["domain"] = core::kErrorDomain;
  if (!status.message().empty()) body["message"] = std::string(status.message());
  for (const auto& [field, description] : core::FieldViolationsOf(status)) {
    body["fieldViolations"].push_back({{"field", field}, {"description", description}});
  }
  error.body = nlohmann::json{{"error", body}}.dump();
  return error;
}

HttpError ToFhirError(const absl::Status& status) {
  HttpError error;
  error.status = HttpStatusOf(status);
  const std::string reason = ReasonOf(status);
  const nlohmann::json details = {
      {"coding", nlohmann::json::array({{{"system", std::string("urn:scoliomassage:error-reason")},
                                         {"code", reason}}})},
      {"text", status.message().empty() ? reason : std::string(status.message())}};
  nlohmann::json issues = nlohmann::json::array();
  for (const auto& [field, description] : core::FieldViolationsOf(status)) {
    issues.push_back({{"severity", "error"},
                      {"code", FhirIssueType(status.code())},
                      {"details", details},
                      {"diagnostics", field + ": " + description},
                      {"expression", nlohmann::json::array({field})}});
  }
  if (issues.empty()) {
    issues.push_back({{"severity", status.code() == absl::StatusCode::kOk ? "information" : "error"},
                      {"code", status.code() == absl::StatusCode::kOk ? "informational"
                                                                      : FhirIssueType(status.code())},
                      {"details", details}});
  }
  // A message may quote a query value that is not UTF-8: replaced, never thrown.
  error.body = nlohmann::json{{"resourceType", "OperationOutcome"}, {"issue", issues}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return error;
}

}  // namespace scoliomassage::http
