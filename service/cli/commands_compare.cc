// scoliomassage compare: HistoryService.CompareProtocols, as a table or JSON.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/comparison_format.h"
#include "cli/error_exit.h"
#include "cli/json_io.h"
#include "core/comparison_page.h"
#include "scoliomassage/v1/history.grpc.pb.h"

namespace scoliomassage::cli {

int RunCompare(const CommandOptions& options, const Connection& connection) {
  std::string format = options.json ? "json" : "table";
  if (options.format_given) format = options.format;
  if (format != "table" && format != "json" && format != "html" && format != "svg") {
    return ExitUsageError(absl::InvalidArgumentError(
        "compare: --format must be table (the default), json, html (the page) or svg (the plot)"));
  }
  auto request = BuildCompareRequest(options);
  if (!request.ok()) return ExitUsageError(request.status());
  auto stub = v1::HistoryService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::CompareProtocolsResponse response;
  const grpc::Status status = stub->CompareProtocols(&context, *request, &response);
  if (!status.ok()) return ExitCallError(status, connection);
  // The page and the plot are the HTTP face's, drawn by the same core code.
  const std::string out = format == "json"   ? ToJsonPretty(response)
                          : format == "html" ? core::RenderComparisonPage(response, *request)
                          : format == "svg"  ? core::RenderComparisonSvg(response)
                                             : FormatComparison(response);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace scoliomassage::cli
