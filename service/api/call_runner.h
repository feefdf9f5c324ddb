// Every RPC goes through here: establish the caller, check the role, run the
// handler's work on the call queue (callback threads never block), convert
// the status once, log one line, and report the call to the audit trail.
#pragma once

#include <memory>

#include <functional>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "app/audit_trail.h"
#include "auth/caller.h"
#include "observability/metrics.h"
#include "auth/credentials_file.h"
#include "base/work_queue.h"

namespace scoliomassage::api {

// What a handler knows about the call it serves, and what it reports back.
struct CallScope {
  auth::Caller caller;
  // For the audit record: a patient pseudonym or a resource name. Never a
  // patient id.
  std::string subject;
  // What the call is and when it started: a write that stores its own audit
  // record needs them (Audit()).
  auth::Method method = auth::Method::kListProtocols;
  absl::Time start;
  // Set when the call's work committed its audit record with its write.
  bool audit_stored = false;

  // The call's audit record as it stands; `code` is the call's status.
  app::AuditEvent Audit(absl::StatusCode code) const;
};

class CallRunner {
 public:
  // Exactly one of `authenticator` and `dev_caller` is set: dev mode (no
  // authentication, loopback only) treats every call as `dev_caller`.
  // `calls` runs the handlers' work; when it is full a call gets
  // RESOURCE_EXHAUSTED (reason OVERLOADED) at once.
  CallRunner(base::WorkQueue& calls, app::AuditTrail& audit,
             const auth::Authenticator* authenticator, std::optional<auth::Caller> dev_caller);

  using Work = std::function<absl::Status(CallScope& scope)>;

  // For unary methods: returns the reactor the handler must return.
  grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, auth::Method method,
                                     Work work);

  // For streaming handlers, which run their own reactor: the caller, or the
  // error to finish with (UNAUTHENTICATED, PERMISSION_DENIED).
  absl::Status Admit(const grpc::CallbackServerContext& context, auth::Method method,
                     CallScope* scope) const;
  // Logs the call and reports it to the audit trail.
  void Record(auth::Method method, const CallScope& scope, const absl::Status& status,
              absl::Time start);

  base::WorkQueue& calls() { return calls_; }

 private:
  base::WorkQueue& calls_;
  app::AuditTrail& audit_;
  const auth::Authenticator* authenticator_;
  std::optional<auth::Caller> dev_caller_;
  // The call queue's depth at each metrics scrape.
  std::unique_ptr<observability::ScrapeHook> queue_depth_;
};

}  // namespace scoliomassage::api
