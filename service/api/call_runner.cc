#include "api/call_runner.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/peer_identity.h"
#include "api/status_conversion.h"
#include "base/error_reasons.h"
#include "core/errors.h"
#include "observability/log.h"

namespace scoliomassage::api {

using observability::Log;
using observability::LogLevel;

namespace {

// A host may say how many outcomes wait in its outbox (the metadata
// x-smp-outbox-depth, a whole number) on any call; the last value per
// principal becomes a gauge. Absent on most calls: one lookup in the
// call's metadata.
void ReportOutboxDepth(const grpc::CallbackServerContext& context, const std::string& principal) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("x-smp-outbox-depth");
  if (it == metadata.end()) return;
  int64_t depth = 0;
  if (!absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()), &depth) ||
      depth < 0) {
    return;
  }
  observability::SetHostOutboxDepth(principal, static_cast<double>(depth));
}

}  // namespace

app::AuditEvent CallScope::Audit(absl::StatusCode code) const {
  app::AuditEvent event{start, caller, method, subject, code, /*route=*/{}};
  event.stored_with_write = audit_stored;
  return event;
}

CallRunner::CallRunner(base::WorkQueue& calls, app::AuditTrail& audit,
                       const auth::Authenticator* authenticator,
                       std::optional<auth::Caller> dev_caller)
    : calls_(calls),
      audit_(audit),
      authenticator_(authenticator),
      dev_caller_(std::move(dev_caller)),
      queue_depth_(observability::ReportAtScrape(observability::CallQueueDepthGauge(), [&calls] {
        return static_cast<double>(calls.queued());
      })) {}

absl::Status CallRunner::Admit(const grpc::CallbackServerContext& context, auth::Method method,
                               CallScope* scope) const {
  if (dev_caller_) {
    scope->caller = *dev_caller_;
  } else {
    auto caller = AuthenticatePeer(context, *authenticator_);
    if (!caller.ok()) return caller.status();
    scope->caller = *std::move(caller);
  }
  ReportOutboxDepth(context, scope->caller.principal);
  if (!auth::IsAllowed(scope->caller.role, method)) {
    return core::WithReason(
        absl::PermissionDeniedError(absl::StrCat("role '", auth::RoleName(scope->caller.role),
                                                 "' may not call ", auth::MethodPath(method))),
        base::kReasonRoleNotAllowed);
  }
  return absl::OkStatus();
}

void CallRunner::Record(auth::Method method, const CallScope& scope, const absl::Status& status,
                        absl::Time start) {
  const absl::Duration latency = absl::Now() - start;
  const double latency_ms = absl::ToDoubleMilliseconds(latency);
  // The one place every call finishes: the metrics see each call once.
  observability::RecordGrpcCall(static_cast<int>(method), auth::MethodPath(method),
                                static_cast<int>(status.code()), absl::ToDoubleSeconds(latency));
  Log(status.ok() ? LogLevel::kInfo : LogLevel::kWarning, "rpc",
      {{"method", std::string(auth::MethodPath(method))},
       {"code", absl::StatusCodeToString(status.code())},
       {"latency_ms", absl::StrCat(latency_ms)},
       {"principal", scope.caller.principal}});
  // Which calls are audited is app's rule (app::IsAudited).
  app::AuditEvent event = scope.Audit(status.code());
  event.method = method;
  event.start = start;
  audit_.Record(std::move(event));
}

grpc::ServerUnaryReactor* CallRunner::RunUnary(grpc::CallbackServerContext* context,
                                               auth::Method method, Work work) {
  const absl::Time start = absl::Now();
  auto* reactor = context->DefaultReactor();
  auto scope = std::make_shared<CallScope>();
  scope->method = method;
  scope->start = start;
  absl::Status admitted = Admit(*context, method, scope.get());
  if (!admitted.ok()) {
    Record(method, *scope, admitted, start);
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  const bool submitted = calls_.TrySubmit([this, context, reactor, method, scope, start,
                                           work = std::move(work)] {
    absl::Status status = context->IsCancelled()
                              ? absl::CancelledError("the client cancelled the call")
                              : work(*scope);
    Record(method, *scope, status, start);
    reactor->Finish(ToGrpcStatus(status));
  });
  if (!submitted) {
    observability::CountRejectedCall();
    absl::Status overloaded = core::WithReason(
        absl::ResourceExhaustedError("server overloaded: too many calls in flight; retry with backoff"),
        base::kReasonOverloaded);
    Record(method, *scope, overloaded, start);
    reactor->Finish(ToGrpcStatus(overloaded));
  }
  return reactor;
}

}  // namespace scoliomassage::api
