#include "api/report_servicer.h"

namespace scoliomassage::api {

grpc::ServerUnaryReactor* ReportServicer::GetPatientReport(
    grpc::CallbackServerContext* context, const v1::GetPatientReportRequest* request,
    v1::PatientReport* response) {
  return runner_.RunUnary(context, auth::Method::kGetPatientReport, [=](CallScope& scope) {
    auto result = reports_.Get(scope.caller, *request, &scope.subject);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  });
}

}  // namespace scoliomassage::api
