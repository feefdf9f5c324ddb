#pragma once

#include "api/call_runner.h"
#include "app/assessments.h"
#include "scoliomassage/v1/assessment.grpc.pb.h"

namespace scoliomassage::api {

// Thin adapter: proto in, app::Assessments, proto out.
class AssessmentServicer final : public v1::AssessmentService::CallbackService {
 public:
  AssessmentServicer(CallRunner& runner, const app::Assessments& assessments)
      : runner_(runner), assessments_(assessments) {}

  grpc::ServerUnaryReactor* RecordAssessment(grpc::CallbackServerContext* context,
                                             const v1::RecordAssessmentRequest* request,
                                             v1::Assessment* response) override;
  grpc::ServerUnaryReactor* ListAssessments(grpc::CallbackServerContext* context,
                                            const v1::ListAssessmentsRequest* request,
                                            v1::ListAssessmentsResponse* response) override;
  grpc::ServerUnaryReactor* ListInstruments(grpc::CallbackServerContext* context,
                                            const v1::ListInstrumentsRequest* request,
                                            v1::ListInstrumentsResponse* response) override;

 private:
  CallRunner& runner_;
  const app::Assessments& assessments_;
};

}  // namespace scoliomassage::api
