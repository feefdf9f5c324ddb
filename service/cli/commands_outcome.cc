// log, amend and get: the OutcomeService.
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/random_id.h"
#include "cli/commands.h"
#include "cli/json_io.h"
#include "cli/error_exit.h"
#include "cli/request_id.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"

namespace scoliomassage::cli {

namespace {

int PrintOutcome(const grpc::Status& status, const v1::Outcome& outcome,
                 const Connection& connection) {
  if (!status.ok()) return ExitCallError(status, connection);
  std::fputs(ToJsonPretty(outcome).c_str(), stdout);
  return kExitOk;
}

// log and amend: read the request, settle its request_id, send it with
// `method` and print the stored outcome.
template <typename Request>
int RunOutcomeWrite(const CommandOptions& options, const Connection& connection,
                    grpc::Status (v1::OutcomeService::Stub::*method)(grpc::ClientContext*,
                                                                     const Request&,
                                                                     v1::Outcome*)) {
  Request request;
  if (auto status = ReadJsonRequest(options.json_in, &request); !status.ok()) {
    return ExitUsageError(status);
  }
  if (auto status = SettleRequestId(options.request_id, request.mutable_request_id());
      !status.ok()) {
    return ExitUsageError(status);
  }
  auto stub = v1::OutcomeService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::Outcome outcome;
  return PrintOutcome(((*stub).*method)(&context, request, &outcome), outcome, connection);
}

}  // namespace

int RunLog(const CommandOptions& options, const Connection& connection) {
  return RunOutcomeWrite(options, connection, &v1::OutcomeService::Stub::LogOutcome);
}

int RunAmend(const CommandOptions& options, const Connection& connection) {
  return RunOutcomeWrite(options, connection, &v1::OutcomeService::Stub::AmendOutcome);
}

int RunGet(const CommandOptions& options, const Connection& connection) {
  if (options.args.size() != 1) {
    return ExitUsageError(absl::InvalidArgumentError(
        "get takes one outcome name, e.g. scoliomassage get outcomes/0f3c..."));
  }
  if (options.revision < 0) {
    return ExitUsageError(absl::InvalidArgumentError("--revision must be 0 (latest) or more"));
  }
  v1::GetOutcomeRequest request;
  const std::string& name = options.args.front();
  // A bare id is accepted for convenience; the API wants outcomes/{id}.
  request.set_name(absl::StrContains(name, '/') ? name : absl::StrCat("outcomes/", name));
  request.set_revision(options.revision);
  auto stub = v1::OutcomeService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::Outcome outcome;
  return PrintOutcome(stub->GetOutcome(&context, request, &outcome), outcome, connection);
}

}  // namespace scoliomassage::cli
