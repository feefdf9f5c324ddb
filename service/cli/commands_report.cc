// report: the ReportService's patient progress report, written to stdout as
// is (an HTML page), so `scoliomassage report --patient=ID > report.html`
// gives the same page as the HTTP face and the plugin.
#include <cstdio>

#include "absl/status/status.h"
#include "cli/commands.h"
#include "cli/error_exit.h"
#include "cli/json_io.h"
#include "scoliomassage/v1/report.grpc.pb.h"

namespace scoliomassage::cli {

int RunReport(const CommandOptions& options, const Connection& connection) {
  if (options.filter.patient.empty()) {
    return ExitUsageError(absl::InvalidArgumentError("report needs --patient=ID"));
  }
  v1::GetPatientReportRequest request;
  request.set_patient_id(options.filter.patient);
  request.set_format(v1::REPORT_FORMAT_HTML);
  auto stub = v1::ReportService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::PatientReport report;
  const grpc::Status status = stub->GetPatientReport(&context, request, &report);
  if (!status.ok()) return ExitCallError(status, connection);
  if (options.json) {
    std::fputs(ToJsonLine(report).c_str(), stdout);
  } else {
    std::fwrite(report.content().data(), 1, report.content().size(), stdout);
  }
  if (std::fflush(stdout) != 0) {
    std::perror("scoliomassage: writing the report");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace scoliomassage::cli
