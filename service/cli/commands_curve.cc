// curve record|list|amend|get: the CurveService.
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands.h"
#include "cli/curve_commands.h"
#include "cli/enum_names.h"
#include "cli/history_format.h"
#include "cli/json_io.h"
#include "cli/output_table.h"
#include "cli/error_exit.h"
#include "cli/request_id.h"
#include "cli/write_command.h"
#include "scoliomassage/v1/curve.grpc.pb.h"

namespace scoliomassage::cli {
namespace {

constexpr char kCurveUsage[] =
    "curve takes record, list, amend or get: scoliomassage curve record --json_in=FILE, "
    "curve list --patient=ID, curve amend --json_in=FILE, curve get curveMeasurements/ID";

int RunCurveList(const CommandOptions& options, const Connection& connection) {
  if (options.filter.patient.empty()) {
    return ExitUsageError(absl::InvalidArgumentError("curve list needs --patient=ID"));
  }
  if (options.page_size < 0 || options.page_size > 100) {
    return ExitUsageError(
        absl::InvalidArgumentError("--page_size must be 1-100 (0 lets the server choose)"));
  }
  v1::ListCurveMeasurementsRequest request;
  request.set_patient_id(options.filter.patient);
  request.set_page_size(options.page_size);
  auto stub = v1::CurveService::NewStub(connection.channel());
  OutputTable table(CurveTableHeader());
  // Follow next_page_token to the end, newest film first.
  while (true) {
    grpc::ClientContext context;
    connection.PrepareUnary(&context);
    v1::ListCurveMeasurementsResponse response;
    const grpc::Status status = stub->ListCurveMeasurements(&context, request, &response);
    if (!status.ok()) return ExitCallError(status, connection);
    for (const auto& measurement : response.measurements()) {
      if (options.json) {
        std::fputs(ToJsonLine(measurement).c_str(), stdout);
      } else {
        table.AddRow(CurveTableRow(measurement));
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

int RunCurveGet(const CommandOptions& options, const Connection& connection) {
  if (options.args.size() != 2) {
    return ExitUsageError(absl::InvalidArgumentError(
        "curve get takes one name, e.g. scoliomassage curve get curveMeasurements/0f3c..."));
  }
  v1::GetCurveMeasurementRequest request;
  const std::string& name = options.args[1];
  request.set_name(absl::StrContains(name, '/') ? name : absl::StrCat("curveMeasurements/", name));
  request.set_revision(options.revision);
  auto stub = v1::CurveService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::CurveMeasurement measurement;
  return PrintResult(stub->GetCurveMeasurement(&context, request, &measurement), measurement,
                     connection);
}

}  // namespace

std::vector<std::string> CurveTableHeader() {
  return {"taken_at", "region", "cobb", "convex", "apex", "risser", "measured_by", "revision",
          "name"};
}

std::vector<std::string> CurveTableRow(const v1::CurveMeasurement& m) {
  return {FormatTime(m.taken_at(), m.has_taken_at()),
          ShortName(m.spine_region()),
          absl::StrFormat("%.1f", m.cobb_angle_degrees()),
          m.convex_side() == v1::SIDE_UNSPECIFIED ? "" : ShortName(m.convex_side()),
          m.apex(),
          m.has_risser_grade() ? absl::StrCat(m.risser_grade()) : "",
          m.measured_by(),
          absl::StrCat(m.revision()),
          m.name()};
}

int RunCurve(const CommandOptions& options, const Connection& connection) {
  const std::string verb = options.args.empty() ? "" : options.args.front();
  if (verb == "list" && options.args.size() == 1) return RunCurveList(options, connection);
  if (verb == "get") return RunCurveGet(options, connection);
  if ((verb == "record" || verb == "amend") && options.args.size() == 1) {
    return verb == "record"
               ? RunWrite<v1::CurveService>(options, connection,
                                            &v1::CurveService::Stub::RecordCurveMeasurement)
               : RunWrite<v1::CurveService>(options, connection,
                                            &v1::CurveService::Stub::AmendCurveMeasurement);
  }
  return ExitUsageError(absl::InvalidArgumentError(kCurveUsage));
}

}  // namespace scoliomassage::cli
