#pragma once

#include "api/call_runner.h"
#include "app/report.h"
#include "scoliomassage/v1/report.grpc.pb.h"

namespace scoliomassage::api {

// Thin adapter: the report is gathered and drawn by app::Reports.
class ReportServicer final : public v1::ReportService::CallbackService {
 public:
  ReportServicer(CallRunner& runner, const app::Reports& reports)
      : runner_(runner), reports_(reports) {}

  grpc::ServerUnaryReactor* GetPatientReport(grpc::CallbackServerContext* context,
                                             const v1::GetPatientReportRequest* request,
                                             v1::PatientReport* response) override;

 private:
  CallRunner& runner_;
  const app::Reports& reports_;
};

}  // namespace scoliomassage::api
