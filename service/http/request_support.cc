#include "http/request_support.h"

#include "absl/strings/strip.h"
#include "base/error_reasons.h"
#include "core/errors.h"
#include "http/status_conversion.h"

namespace scoliomassage::http {
namespace {

// Per-request facts, set on the thread that serves the request.
thread_local absl::Time request_start;
thread_local std::string request_route;
thread_local std::string request_principal;

absl::Status Unauthenticated(absl::string_view why) {
  return core::WithReason(absl::UnauthenticatedError(why), base::kReasonUnauthenticated);
}

}  // namespace

void SetRoute(std::string route) { request_route = std::move(route); }
const std::string& CurrentRoute() { return request_route; }
void SetPrincipal(std::string principal) { request_principal = std::move(principal); }
const std::string& CurrentPrincipal() { return request_principal; }

void BeginRequest() {
  request_start = absl::Now();
  request_route = "unmatched";
  request_principal.clear();
}

absl::Time RequestStart() { return request_start; }

absl::StatusOr<auth::Caller> AuthenticateBearer(const httplib::Request& req, const HttpApp& app) {
  if (app.authenticator == nullptr) {
    if (app.dev_caller) {
      SetPrincipal(app.dev_caller->principal);
      return *app.dev_caller;
    }
    return Unauthenticated("this server has no credentials configured");
  }
  const std::string value = req.get_header_value("Authorization");  // by value in httplib
  absl::string_view header = value;
  if (header.empty()) {
    return Unauthenticated("credentials required: 'Authorization: Bearer <token>'");
  }
  if (!absl::ConsumePrefix(&header, "Bearer ") && !absl::ConsumePrefix(&header, "bearer ")) {
    return Unauthenticated("the Authorization header must be 'Bearer <token>'");
  }
  auto caller = app.authenticator->FromToken(header);
  if (!caller) return Unauthenticated("unknown bearer token");
  SetPrincipal(caller->principal);
  return *caller;
}

absl::Status CheckRole(const auth::Caller& caller, auth::Method method) {
  if (auth::IsAllowed(caller.role, method)) return absl::OkStatus();
  return core::WithReason(
      absl::PermissionDeniedError(absl::StrCat("role ", auth::RoleName(caller.role),
                                               " may not call ", CurrentRoute())),
      base::kReasonRoleNotAllowed);
}

void SendError(const absl::Status& status, httplib::Response& res) {
  HttpError error = ToHttpError(status);
  res.status = error.status;
  res.set_content(error.body, kJsonContentType);
  if (error.status == 401) res.set_header("WWW-Authenticate", "Bearer");
}

void SendFhirError(const absl::Status& status, httplib::Response& res) {
  HttpError error = ToFhirError(status);
  res.status = error.status;
  res.set_content(error.body, "application/fhir+json");
  if (error.status == 401) res.set_header("WWW-Authenticate", "Bearer");
}

void RecordAudit(const HttpApp& app, const auth::Caller& caller, auth::Method method,
                 std::string subject, const absl::Status& status, absl::Time start) {
  if (caller.clinic_id.empty() || app.audit == nullptr) return;
  app::AuditEvent event;
  event.start = start;
  event.caller = caller;
  event.method = method;
  event.route = request_route;
  event.subject = std::move(subject);
  event.code = status.code();
  app.audit->Record(std::move(event));
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  return core::WithReason(std::move(status), reason);
}

}  // namespace scoliomassage::http
