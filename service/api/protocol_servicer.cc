#include "api/protocol_servicer.h"

namespace scoliomassage::api {

grpc::ServerUnaryReactor* ProtocolServicer::RecommendProtocol(
    grpc::CallbackServerContext* context, const v1::RecommendProtocolRequest* request,
    v1::RecommendProtocolResponse* response) {
  return runner_.RunUnary(context, auth::Method::kRecommendProtocol, [=](CallScope& scope) {
    auto result = checkin_.Recommend(scope.caller, *request, &scope.subject);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  });
}

grpc::ServerUnaryReactor* ProtocolServicer::ListProtocols(grpc::CallbackServerContext* context,
                                                          const v1::ListProtocolsRequest*,
                                                          v1::ListProtocolsResponse* response) {
  return runner_.RunUnary(context, auth::Method::kListProtocols, [=](CallScope&) {
    *response = checkin_.ListProtocols();
    return absl::OkStatus();
  });
}

}  // namespace scoliomassage::api
