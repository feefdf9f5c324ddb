// The gRPC side of one smp_client: a channel, its stubs, the retry and
// deadline policy, and the outbox delivery.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "config.h"
#include "outbox.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"

namespace scoliomassage::plugin {

namespace v1 = ::scoliomassage::v1;

struct FlushReport {
  long delivered = 0;
  long pending = 0;
  std::vector<RejectedRequest> rejected;
  bool outbox_read = false;  // the counts above are valid
};

// Thread-safe: the channel and stubs are, and the outbox serializes itself.
class Client {
 public:
  static grpc::Status Create(ClientConfig config, std::unique_ptr<Client>* out);

  grpc::Status RecommendProtocol(const v1::RecommendProtocolRequest& request,
                                 v1::RecommendProtocolResponse* response);
  // Fills request_id when empty. On UNAVAILABLE/DEADLINE_EXCEEDED with an
  // outbox, stores the request and sets *queued; the returned status is still
  // the delivery failure, for the error text.
  grpc::Status LogOutcome(v1::LogOutcomeRequest* request, v1::Outcome* response,
                          bool* queued);
  grpc::Status AmendOutcome(v1::AmendOutcomeRequest* request, v1::Outcome* response);
  grpc::Status GetOutcome(const v1::GetOutcomeRequest& request, v1::Outcome* response);
  grpc::Status ListOutcomes(v1::ListOutcomesRequest* request, v1::ListOutcomesResponse* response);
  // FAILED_PRECONDITION without an outbox.
  grpc::Status Flush(FlushReport* report);

 private:
  using Clock = std::chrono::system_clock;

  explicit Client(ClientConfig config) : config_(std::move(config)) {}
  Clock::time_point DeadlineFromNow() const { return Clock::now() + config_.deadline; }
  void PrepareContext(grpc::ClientContext* context, Clock::time_point deadline) const;
  template <typename Attempt>
  grpc::Status WithRetries(Clock::time_point deadline, Attempt&& attempt);
  // Best effort before a call: delivers up to `limit` queued outcomes.
  void DeliverQueuedBeforeCall(Clock::time_point deadline);
  // Delivers until the outbox is empty, `limit` rows were tried, the deadline
  // passes, or the service cannot take more (that status is returned).
  grpc::Status DeliverQueued(Clock::time_point deadline, long limit, long* delivered);

  const ClientConfig config_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ProtocolService::Stub> protocols_;
  std::unique_ptr<v1::OutcomeService::Stub> outcomes_;
  std::unique_ptr<Outbox> outbox_;
  // One delivery run at a time per client, so two threads do not send the
  // same queued request at once (harmless, but wasteful).
  std::mutex delivery_mutex_;
};

}  // namespace scoliomassage::plugin
