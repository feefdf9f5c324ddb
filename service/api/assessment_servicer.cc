#include "api/assessment_servicer.h"

namespace scoliomassage::api {
namespace {

// Adapts one app method to the runner: result into the response.
template <typename App, typename Request, typename Response, typename Method>
CallRunner::Work Adapt(const App& app, Method method, const Request* request, Response* response) {
  return [&app, method, request, response](CallScope& scope) {
    auto result = (app.*method)(scope.caller, *request, &scope.subject);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  };
}

}  // namespace

grpc::ServerUnaryReactor* AssessmentServicer::RecordAssessment(
    grpc::CallbackServerContext* context, const v1::RecordAssessmentRequest* request,
    v1::Assessment* response) {
  return runner_.RunUnary(context, auth::Method::kRecordAssessment,
                          Adapt(assessments_, &app::Assessments::Record, request, response));
}

grpc::ServerUnaryReactor* AssessmentServicer::ListAssessments(
    grpc::CallbackServerContext* context, const v1::ListAssessmentsRequest* request,
    v1::ListAssessmentsResponse* response) {
  return runner_.RunUnary(context, auth::Method::kListAssessments,
                          Adapt(assessments_, &app::Assessments::List, request, response));
}

grpc::ServerUnaryReactor* AssessmentServicer::ListInstruments(
    grpc::CallbackServerContext* context, const v1::ListInstrumentsRequest* request,
    v1::ListInstrumentsResponse* response) {
  return runner_.RunUnary(
      context, auth::Method::kListInstruments,
      Adapt(assessments_, &app::Assessments::ListInstruments, request, response));
}

}  // namespace scoliomassage::api
