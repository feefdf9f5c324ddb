#pragma once

#include "api/call_runner.h"
#include "app/comparisons.h"
#include "app/history.h"
#include "scoliomassage/v1/audit.grpc.pb.h"
#include "scoliomassage/v1/history.grpc.pb.h"

namespace scoliomassage::api {

// Thin adapter for analytics. QueryHistory streams page by page: the next
// page is read from the store only after the previous one was written, so
// memory stays flat and a slow reader slows the scan (gRPC flow control).
class HistoryServicer final : public v1::HistoryService::CallbackService {
 public:
  HistoryServicer(CallRunner& runner, const app::History& history)
      : runner_(runner), history_(history) {}
  // CompareProtocols is served only once set (UNIMPLEMENTED before).
  void set_comparisons(const app::Comparisons* comparisons) { comparisons_ = comparisons; }

  grpc::ServerWriteReactor<v1::HistoryRecord>* QueryHistory(
      grpc::CallbackServerContext* context, const v1::QueryHistoryRequest* request) override;
  grpc::ServerUnaryReactor* SummarizeOutcomes(grpc::CallbackServerContext* context,
                                              const v1::SummarizeOutcomesRequest* request,
                                              v1::SummarizeOutcomesResponse* response) override;
  grpc::ServerUnaryReactor* CompareProtocols(grpc::CallbackServerContext* context,
                                             const v1::CompareProtocolsRequest* request,
                                             v1::CompareProtocolsResponse* response) override;

 private:
  CallRunner& runner_;
  const app::History& history_;
  const app::Comparisons* comparisons_ = nullptr;
};

class AuditServicer final : public v1::AuditService::CallbackService {
 public:
  AuditServicer(CallRunner& runner, const app::History& history)
      : runner_(runner), history_(history) {}

  grpc::ServerUnaryReactor* ListAuditRecords(grpc::CallbackServerContext* context,
                                             const v1::ListAuditRecordsRequest* request,
                                             v1::ListAuditRecordsResponse* response) override;

 private:
  CallRunner& runner_;
  const app::History& history_;
};

}  // namespace scoliomassage::api
