// audit: the AuditService, for admins.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/filter_flags.h"
#include "cli/history_format.h"
#include "cli/json_io.h"
#include "cli/output_table.h"
#include "cli/error_exit.h"
#include "cli/status_printer.h"
#include "scoliomassage/v1/audit.grpc.pb.h"

namespace scoliomassage::cli {

int RunAudit(const CommandOptions& options, const Connection& connection) {
  if (options.page_size < 0 || options.page_size > 1000) {
    return ExitUsageError(
        absl::InvalidArgumentError("--page_size must be 1-1000 (0 lets the server choose)"));
  }
  v1::ListAuditRecordsRequest request;
  request.set_page_size(options.page_size);
  if (!options.filter.since.empty()) {
    auto since = ParseTimestamp(options.filter.since);
    if (!since.ok()) return ExitUsageError(since.status());
    *request.mutable_start_time() = *since;
  }
  if (!options.filter.until.empty()) {
    auto until = ParseTimestamp(options.filter.until);
    if (!until.ok()) return ExitUsageError(until.status());
    *request.mutable_end_time() = *until;
  }

  auto stub = v1::AuditService::NewStub(connection.channel());
  OutputTable table({"time", "principal", "role", "clinic", "method", "subject", "status"});
  // Follow next_page_token to the end. JSON lines go out page by page; the
  // table needs every row first to align its columns.
  while (true) {
    grpc::ClientContext context;
    connection.PrepareUnary(&context);
    v1::ListAuditRecordsResponse response;
    const grpc::Status status = stub->ListAuditRecords(&context, request, &response);
    if (!status.ok()) return ExitCallError(status, connection);
    for (const auto& record : response.records()) {
      if (options.json) {
        std::fputs(ToJsonLine(record).c_str(), stdout);
      } else {
        table.AddRow({FormatTime(record.time(), record.has_time()), record.principal(),
                      record.role(), record.clinic_id(), record.method(), record.subject(),
                      StatusCodeName(record.status_code())});
      }
    }
    if (response.next_page_token().empty()) break;
    if (response.next_page_token() == request.page_token()) {
      std::fputs("scoliomassage: the server returned the same page token twice; stopping\n",
                 stderr);
      return kExitFailure;
    }
    request.set_page_token(response.next_page_token());
  }
  if (!options.json) std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

}  // namespace scoliomassage::cli
