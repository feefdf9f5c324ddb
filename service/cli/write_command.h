// The shape every CLI write shares (log, amend, curve record/amend): read the
// request from --json_in, settle its request_id, send it with one unary
// method and print what the service stored as pretty JSON.
#ifndef SCOLIOMASSAGE_CLI_WRITE_COMMAND_H_
#define SCOLIOMASSAGE_CLI_WRITE_COMMAND_H_

#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "cli/connection.h"
#include "cli/error_exit.h"
#include "cli/json_io.h"
#include "cli/options.h"
#include "cli/request_id.h"

namespace scoliomassage::cli {

// Prints a unary call's result, or its error with the exit code it maps to.
template <typename Response>
int PrintResult(const grpc::Status& status, const Response& response, const Connection& connection) {
  if (!status.ok()) return ExitCallError(status, connection);
  std::fputs(ToJsonPretty(response).c_str(), stdout);
  return kExitOk;
}

template <typename Service, typename Request, typename Response>
int RunWrite(const CommandOptions& options, const Connection& connection,
             grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&, Response*)) {
  Request request;
  if (auto status = ReadJsonRequest(options.json_in, &request); !status.ok()) {
    return ExitUsageError(status);
  }
  if (auto status = SettleRequestId(options.request_id, request.mutable_request_id());
      !status.ok()) {
    return ExitUsageError(status);
  }
  auto stub = Service::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  Response response;
  return PrintResult(((*stub).*method)(&context, request, &response), response, connection);
}

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_WRITE_COMMAND_H_
