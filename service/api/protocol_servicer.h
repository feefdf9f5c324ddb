#pragma once

#include "api/call_runner.h"
#include "app/checkin.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"

namespace scoliomassage::api {

// Thin adapter: proto in, app::CheckIn, proto out.
class ProtocolServicer final : public v1::ProtocolService::CallbackService {
 public:
  ProtocolServicer(CallRunner& runner, const app::CheckIn& checkin)
      : runner_(runner), checkin_(checkin) {}

  grpc::ServerUnaryReactor* RecommendProtocol(grpc::CallbackServerContext* context,
                                              const v1::RecommendProtocolRequest* request,
                                              v1::RecommendProtocolResponse* response) override;
  grpc::ServerUnaryReactor* ListProtocols(grpc::CallbackServerContext* context,
                                          const v1::ListProtocolsRequest* request,
                                          v1::ListProtocolsResponse* response) override;

 private:
  CallRunner& runner_;
  const app::CheckIn& checkin_;
};

}  // namespace scoliomassage::api
