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
#include "cli/write_command.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"

namespace scoliomassage::cli {

int RunLog(const CommandOptions& options, const Connection& connection) {
  return RunWrite<v1::OutcomeService>(options, connection, &v1::OutcomeService::Stub::LogOutcome);
}

int RunAmend(const CommandOptions& options, const Connection& connection) {
  return RunWrite<v1::OutcomeService>(options, connection, &v1::OutcomeService::Stub::AmendOutcome);
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
  return PrintResult(stub->GetOutcome(&context, request, &outcome), outcome, connection);
}

}  // namespace scoliomassage::cli
