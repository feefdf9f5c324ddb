// scoliomassage compare: HistoryService.CompareProtocols, as a table or JSON.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/comparison_format.h"
#include "cli/error_exit.h"
#include "cli/json_io.h"
#include "scoliomassage/v1/history.grpc.pb.h"

namespace scoliomassage::cli {

int RunCompare(const CommandOptions& options, const Connection& connection) {
  bool json = options.json;
  if (options.format_given) {
    if (options.format == "json") {
      json = true;
    } else if (options.format != "table") {
      return ExitUsageError(
          absl::InvalidArgumentError("compare: --format must be table (the default) or json"));
    }
  }
  auto request = BuildCompareRequest(options);
  if (!request.ok()) return ExitUsageError(request.status());
  auto stub = v1::HistoryService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::CompareProtocolsResponse response;
  const grpc::Status status = stub->CompareProtocols(&context, *request, &response);
  if (!status.ok()) return ExitCallError(status, connection);
  const std::string out = json ? ToJsonPretty(response) : FormatComparison(response);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace scoliomassage::cli
