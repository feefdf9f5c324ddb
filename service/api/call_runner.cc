#include "api/call_runner.h"

#include "absl/strings/str_cat.h"
#include "api/peer_identity.h"
#include "api/status_conversion.h"
#include "core/errors.h"
#include "observability/log.h"

namespace scoliomassage::api {

using observability::Log;
using observability::LogLevel;

CallRunner::CallRunner(WorkerPool& pool, BackgroundWrites& background,
                       const auth::Authenticator* authenticator,
                       std::optional<auth::Caller> dev_caller)
    : pool_(pool),
      background_(background),
      authenticator_(authenticator),
      dev_caller_(std::move(dev_caller)) {}

absl::Status CallRunner::Admit(const grpc::CallbackServerContext& context, auth::Method method,
                               CallScope* scope) const {
  if (dev_caller_) {
    scope->caller = *dev_caller_;
  } else {
    auto caller = AuthenticatePeer(context, *authenticator_);
    if (!caller.ok()) return caller.status();
    scope->caller = *std::move(caller);
  }
  if (!auth::IsAllowed(scope->caller.role, method)) {
    return core::WithReason(
        absl::PermissionDeniedError(absl::StrCat("role '", auth::RoleName(scope->caller.role),
                                                 "' may not call ", auth::MethodPath(method))),
        "ROLE_NOT_ALLOWED");
  }
  return absl::OkStatus();
}

void CallRunner::Record(auth::Method method, const CallScope& scope, const absl::Status& status,
                        absl::Time start) {
  const double latency_ms = absl::ToDoubleMilliseconds(absl::Now() - start);
  Log(status.ok() ? LogLevel::kInfo : LogLevel::kWarning, "rpc",
      {{"method", std::string(auth::MethodPath(method))},
       {"code", absl::StatusCodeToString(status.code())},
       {"latency_ms", absl::StrCat(latency_ms)},
       {"principal", scope.caller.principal}});
  // The catalog is not patient data; everything else is audited, including
  // denied and failed calls.
  if (method == auth::Method::kListProtocols || scope.caller.clinic_id.empty()) return;
  storage::AuditEntry entry;
  entry.time_us = absl::ToUnixMicros(start);
  entry.principal = scope.caller.principal;
  entry.role = std::string(auth::RoleName(scope.caller.role));
  entry.clinic_id = scope.caller.clinic_id;
  entry.method = std::string(auth::MethodPath(method));
  entry.subject = scope.subject;
  entry.status_code = static_cast<int>(status.code());
  background_.Audit(std::move(entry));
}

grpc::ServerUnaryReactor* CallRunner::RunUnary(grpc::CallbackServerContext* context,
                                               auth::Method method, Work work) {
  const absl::Time start = absl::Now();
  auto* reactor = context->DefaultReactor();
  auto scope = std::make_shared<CallScope>();
  absl::Status admitted = Admit(*context, method, scope.get());
  if (!admitted.ok()) {
    Record(method, *scope, admitted, start);
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  const bool submitted = pool_.TrySubmit([this, context, reactor, method, scope, start,
                                          work = std::move(work)] {
    absl::Status status = context->IsCancelled()
                              ? absl::CancelledError("the client cancelled the call")
                              : work(*scope);
    Record(method, *scope, status, start);
    reactor->Finish(ToGrpcStatus(status));
  });
  if (!submitted) {
    absl::Status overloaded = core::WithReason(
        absl::ResourceExhaustedError("server overloaded: too many calls in flight; retry with backoff"),
        "OVERLOADED");
    Record(method, *scope, overloaded, start);
    reactor->Finish(ToGrpcStatus(overloaded));
  }
  return reactor;
}

}  // namespace scoliomassage::api
