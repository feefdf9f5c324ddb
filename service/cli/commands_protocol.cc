// recommend and protocols: the ProtocolService.
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/enum_names.h"
#include "cli/json_io.h"
#include "cli/output_table.h"
#include "cli/recommend_format.h"
#include "cli/error_exit.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"

namespace scoliomassage::cli {

int RunRecommend(const CommandOptions& options, const Connection& connection) {
  v1::RecommendProtocolRequest request;
  if (auto status = ReadJsonRequest(options.json_in, &request); !status.ok()) {
    return ExitUsageError(status);
  }
  auto stub = v1::ProtocolService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::RecommendProtocolResponse response;
  const grpc::Status status = stub->RecommendProtocol(&context, request, &response);
  if (!status.ok()) return ExitCallError(status, connection);
  const std::string out = options.json ? ToJsonPretty(response) : FormatRecommendation(response);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

int RunProtocols(const CommandOptions& options, const Connection& connection) {
  auto stub = v1::ProtocolService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::ListProtocolsResponse response;
  const grpc::Status status =
      stub->ListProtocols(&context, v1::ListProtocolsRequest(), &response);
  if (!status.ok()) return ExitCallError(status, connection);
  if (options.json) {
    std::fputs(ToJsonPretty(response).c_str(), stdout);
    return kExitOk;
  }
  OutputTable table({"id", "version", "region", "pattern", "steps", "title"});
  table.AlignRight(1);
  table.AlignRight(4);
  for (const auto& protocol : response.protocols()) {
    table.AddRow({protocol.id(), absl::StrCat(protocol.version()),
                  absl::AsciiStrToLower(ShortName(protocol.spine_region())),
                  absl::AsciiStrToLower(ShortName(protocol.curve_pattern())),
                  absl::StrCat(protocol.steps_size()), protocol.title()});
  }
  std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

}  // namespace scoliomassage::cli
