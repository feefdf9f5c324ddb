#pragma once

#include "api/call_runner.h"
#include "app/curves.h"
#include "scoliomassage/v1/curve.grpc.pb.h"

namespace scoliomassage::api {

// Thin adapter: proto in, app::Curves, proto out.
class CurveServicer final : public v1::CurveService::CallbackService {
 public:
  CurveServicer(CallRunner& runner, const app::Curves& curves) : runner_(runner), curves_(curves) {}

  grpc::ServerUnaryReactor* RecordCurveMeasurement(grpc::CallbackServerContext* context,
                                                   const v1::RecordCurveMeasurementRequest* request,
                                                   v1::CurveMeasurement* response) override;
  grpc::ServerUnaryReactor* ListCurveMeasurements(grpc::CallbackServerContext* context,
                                                  const v1::ListCurveMeasurementsRequest* request,
                                                  v1::ListCurveMeasurementsResponse* response) override;
  grpc::ServerUnaryReactor* AmendCurveMeasurement(grpc::CallbackServerContext* context,
                                                  const v1::AmendCurveMeasurementRequest* request,
                                                  v1::CurveMeasurement* response) override;
  grpc::ServerUnaryReactor* GetCurveMeasurement(grpc::CallbackServerContext* context,
                                                const v1::GetCurveMeasurementRequest* request,
                                                v1::CurveMeasurement* response) override;

 private:
  CallRunner& runner_;
  const app::Curves& curves_;
};

}  // namespace scoliomassage::api
