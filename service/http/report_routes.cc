#include "http/report_routes.h"

#include "absl/time/clock.h"
#include "core/errors.h"
#include "http/request_support.h"
#include "http/status_conversion.h"

namespace scoliomassage::http {
namespace {

// The page fetches nothing and runs nothing; the browser is told so too, so
// a patient id that somehow carried markup still could not load or run
// anything.
constexpr char kReportPolicy[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'";

absl::StatusOr<v1::ReportFormat> ParseFormat(const httplib::Request& req) {
  if (!req.has_param("format")) return v1::REPORT_FORMAT_HTML;
  const std::string format = req.get_param_value("format");
  if (format == "html") return v1::REPORT_FORMAT_HTML;
  if (format == "svg") return v1::REPORT_FORMAT_SVG;
  return core::InvalidField("format", "must be html or svg");
}

void Report(const HttpApp& app, const httplib::Request& req, httplib::Response& res) {
  SetRoute("GET /patients/{patient_id}/report");
  const absl::Time start = absl::Now();
  auth::Caller caller;
  std::string subject;
  absl::Status status = [&]() -> absl::Status {
    auto authenticated = AuthenticateBearer(req, app);
    if (!authenticated.ok()) return authenticated.status();
    caller = *std::move(authenticated);
    if (absl::Status role = CheckRole(caller, auth::Method::kGetPatientReport); !role.ok()) {
      return role;
    }
    auto format = ParseFormat(req);
    if (!format.ok()) return format.status();
    if (app.reports == nullptr) return absl::UnimplementedError("reports are not served here");
    v1::GetPatientReportRequest request;
    request.set_patient_id(req.matches[1]);
    request.set_format(*format);
    auto report = app.reports->Get(caller, request, &subject);
    if (!report.ok()) return report.status();
    res.status = 200;
    res.set_header("Content-Security-Policy", kReportPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(report->content(), report->content_type().c_str());
    return absl::OkStatus();
  }();
  if (!status.ok()) SendError(status, res);
  RecordAudit(app, caller, auth::Method::kGetPatientReport, std::move(subject), status, start);
}

}  // namespace

void InstallReportRoutes(httplib::Server& server, const HttpApp& app) {
  server.Get(R"(/patients/([^/]+)/report)", [&app](const httplib::Request& req,
                                                   httplib::Response& res) {
    Report(app, req, res);
  });
}

}  // namespace scoliomassage::http
