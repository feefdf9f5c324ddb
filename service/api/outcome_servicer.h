#pragma once

#include "api/call_runner.h"
#include "app/outcomes.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"

namespace scoliomassage::api {

// Thin adapter: proto in, app::Outcomes, proto out.
class OutcomeServicer final : public v1::OutcomeService::CallbackService {
 public:
  OutcomeServicer(CallRunner& runner, const app::Outcomes& outcomes)
      : runner_(runner), outcomes_(outcomes) {}

  grpc::ServerUnaryReactor* LogOutcome(grpc::CallbackServerContext* context,
                                       const v1::LogOutcomeRequest* request,
                                       v1::Outcome* response) override;
  grpc::ServerUnaryReactor* AmendOutcome(grpc::CallbackServerContext* context,
                                         const v1::AmendOutcomeRequest* request,
                                         v1::Outcome* response) override;
  grpc::ServerUnaryReactor* GetOutcome(grpc::CallbackServerContext* context,
                                       const v1::GetOutcomeRequest* request,
                                       v1::Outcome* response) override;
  grpc::ServerUnaryReactor* ListOutcomes(grpc::CallbackServerContext* context,
                                         const v1::ListOutcomesRequest* request,
                                         v1::ListOutcomesResponse* response) override;

 private:
  CallRunner& runner_;
  const app::Outcomes& outcomes_;
};

}  // namespace scoliomassage::api
