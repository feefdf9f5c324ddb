#include "api/outcome_servicer.h"

namespace scoliomassage::api {
namespace {

// Adapts one app::Outcomes method to the runner: result into the response.
template <typename Request, typename Response, typename Method>
CallRunner::Work Adapt(const app::Outcomes& outcomes, Method method, const Request* request,
                       Response* response) {
  return [&outcomes, method, request, response](CallScope& scope) {
    auto result = (outcomes.*method)(scope.caller, *request, &scope.subject);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  };
}

// The same for the writes, which may commit the call's audit record with
// the outcome (app::AuditEvent::stored_with_write).
template <typename Request, typename Method>
CallRunner::Work AdaptWrite(const app::Outcomes& outcomes, Method method, const Request* request,
                            v1::Outcome* response) {
  return [&outcomes, method, request, response](CallScope& scope) {
    app::AuditEvent audit = scope.Audit(absl::StatusCode::kOk);
    auto result = (outcomes.*method)(scope.caller, *request, &audit);
    scope.subject = std::move(audit.subject);
    scope.audit_stored = audit.stored_with_write;
    if (result.ok()) *response = *std::move(result);
    return result.status();
  };
}

}  // namespace

grpc::ServerUnaryReactor* OutcomeServicer::LogOutcome(grpc::CallbackServerContext* context,
                                                      const v1::LogOutcomeRequest* request,
                                                      v1::Outcome* response) {
  return runner_.RunUnary(context, auth::Method::kLogOutcome,
                          AdaptWrite(outcomes_, &app::Outcomes::Log, request, response));
}

grpc::ServerUnaryReactor* OutcomeServicer::AmendOutcome(grpc::CallbackServerContext* context,
                                                        const v1::AmendOutcomeRequest* request,
                                                        v1::Outcome* response) {
  return runner_.RunUnary(context, auth::Method::kAmendOutcome,
                          AdaptWrite(outcomes_, &app::Outcomes::Amend, request, response));
}

grpc::ServerUnaryReactor* OutcomeServicer::GetOutcome(grpc::CallbackServerContext* context,
                                                      const v1::GetOutcomeRequest* request,
                                                      v1::Outcome* response) {
  return runner_.RunUnary(context, auth::Method::kGetOutcome,
                          Adapt(outcomes_, &app::Outcomes::Get, request, response));
}

grpc::ServerUnaryReactor* OutcomeServicer::ListOutcomes(grpc::CallbackServerContext* context,
                                                        const v1::ListOutcomesRequest* request,
                                                        v1::ListOutcomesResponse* response) {
  return runner_.RunUnary(context, auth::Method::kListOutcomes,
                          Adapt(outcomes_, &app::Outcomes::List, request, response));
}

}  // namespace scoliomassage::api
