#include "api/curve_servicer.h"

namespace scoliomassage::api {
namespace {

// Adapts one app::Curves method to the runner: result into the response.
template <typename Request, typename Response, typename Method>
CallRunner::Work Adapt(const app::Curves& curves, Method method, const Request* request,
                       Response* response) {
  return [&curves, method, request, response](CallScope& scope) {
    auto result = (curves.*method)(scope.caller, *request, &scope.subject);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  };
}

}  // namespace

grpc::ServerUnaryReactor* CurveServicer::RecordCurveMeasurement(
    grpc::CallbackServerContext* context, const v1::RecordCurveMeasurementRequest* request,
    v1::CurveMeasurement* response) {
  return runner_.RunUnary(context, auth::Method::kRecordCurveMeasurement,
                          Adapt(curves_, &app::Curves::Record, request, response));
}

grpc::ServerUnaryReactor* CurveServicer::ListCurveMeasurements(
    grpc::CallbackServerContext* context, const v1::ListCurveMeasurementsRequest* request,
    v1::ListCurveMeasurementsResponse* response) {
  return runner_.RunUnary(context, auth::Method::kListCurveMeasurements,
                          Adapt(curves_, &app::Curves::List, request, response));
}

grpc::ServerUnaryReactor* CurveServicer::AmendCurveMeasurement(
    grpc::CallbackServerContext* context, const v1::AmendCurveMeasurementRequest* request,
    v1::CurveMeasurement* response) {
  return runner_.RunUnary(context, auth::Method::kAmendCurveMeasurement,
                          Adapt(curves_, &app::Curves::Amend, request, response));
}

grpc::ServerUnaryReactor* CurveServicer::GetCurveMeasurement(
    grpc::CallbackServerContext* context, const v1::GetCurveMeasurementRequest* request,
    v1::CurveMeasurement* response) {
  return runner_.RunUnary(context, auth::Method::kGetCurveMeasurement,
                          Adapt(curves_, &app::Curves::Get, request, response));
}

}  // namespace scoliomassage::api
