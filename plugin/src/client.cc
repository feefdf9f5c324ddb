#include "client.h"

#include <algorithm>
#include <limits>
#include <thread>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "base/random_id.h"
#include "error_state.h"
#include "scoliomassage/plugin.h"

namespace scoliomassage::plugin {
namespace {

constexpr std::chrono::milliseconds kFirstRetryBackoff{50};
constexpr std::chrono::milliseconds kMaxRetryBackoff{1000};
// Enough to catch up after a short outage without making one host call slow.
constexpr long kDeliveriesBeforeCall = 50;
constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;

std::shared_ptr<grpc::ChannelCredentials> MakeCredentials(const ClientConfig& config) {
  if (!config.tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = config.tls->root_ca_pem;
  ssl.pem_cert_chain = config.tls->cert_chain_pem;
  ssl.pem_private_key = config.tls->private_key_pem;
  auto credentials = grpc::SslCredentials(ssl);
  if (config.token.empty()) return credentials;
  // gRPC sends call credentials only over a secure channel; plaintext gets
  // the header in PrepareContext instead.
  return grpc::CompositeChannelCredentials(credentials,
                                           grpc::AccessTokenCredentials(config.token));
}

// What a failed delivery of one queued request means for the others.
enum class DeliveryFailure {
  // The service as a whole cannot take requests now (down, overloaded, our
  // credentials refused): stop, keep everything queued.
  kStopAll,
  // Resending this request can never succeed: keep it aside for a person
  // ("rejected"), never resend it, go on with the next.
  kRejectForGood,
  // Something went wrong with this request only, maybe for now (INTERNAL,
  // ABORTED, ...): keep it queued, go on with the next, so one bad row never
  // blocks the outbox.
  kRetryLater,
};

DeliveryFailure ClassifyDeliveryFailure(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::CANCELLED:
      return DeliveryFailure::kStopAll;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return DeliveryFailure::kRejectForGood;
    default:
      return DeliveryFailure::kRetryLater;
  }
}

bool ServiceUnreachable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// A fresh UUID request id (AIP-155), chosen once before the first attempt so
// that every retry and every outbox delivery carries the same id. INTERNAL
// when the OS has no randomness: nothing was sent, so the host may retry.
grpc::Status ChooseRequestId(std::string* request_id) {
  auto fresh = base::RandomUuid();
  if (!fresh.ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL, std::string(fresh.status().message()));
  }
  *request_id = *std::move(fresh);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status Client::Create(ClientConfig config, std::unique_ptr<Client>* out) {
  std::unique_ptr<Client> client(new Client(std::move(config)));
  const ClientConfig& c = client->config_;

  grpc::ChannelArguments args;
  args.SetUserAgentPrefix("scoliomassage-plugin/" SMP_VERSION);
  // After an outage the channel must notice the service is back within a
  // second, not after gRPC's default backoff of up to two minutes: calls
  // made meanwhile fail fast (no wait_for_ready) and would not even try.
  // (Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: despite its name it is the
  // connect timeout, and a small one cuts off slow TLS handshakes.)
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  if (c.tls && !c.tls->server_name_override.empty()) {
    args.SetSslTargetNameOverride(c.tls->server_name_override);
  }
  client->channel_ = grpc::CreateCustomChannel(c.target, MakeCredentials(c), args);
  client->protocols_ = v1::ProtocolService::NewStub(client->channel_);
  client->outcomes_ = v1::OutcomeService::NewStub(client->channel_);
  if (!c.outbox_path.empty()) {
    if (auto status = Outbox::Open(c.outbox_path, &client->outbox_); !status.ok()) return status;
  }
  *out = std::move(client);
  return grpc::Status::OK;
}

void Client::PrepareContext(grpc::ClientContext* context, Clock::time_point deadline) const {
  context->set_deadline(deadline);
  if (!config_.tls && !config_.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + config_.token);
  }
}

template <typename Attempt>
grpc::Status Client::WithRetries(Clock::time_point deadline, Attempt&& attempt) {
  std::chrono::milliseconds backoff = kFirstRetryBackoff;
  for (int retry = 0;; ++retry) {
    grpc::ClientContext context;  // a context serves exactly one attempt
    PrepareContext(&context, deadline);
    grpc::Status status = attempt(&context);
    // Only UNAVAILABLE is safe and useful to retry: the request did not run,
    // or it carries a request_id the service deduplicates.
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || retry >= config_.retries ||
        Clock::now() + backoff >= deadline) {
      return status;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, kMaxRetryBackoff);
  }
}

void Client::DeliverQueuedBeforeCall(Clock::time_point deadline) {
  if (!outbox_ || !outbox_->MaybeHasPending()) return;
  // Another thread is already delivering: do not queue up behind it.
  std::unique_lock<std::mutex> lock(delivery_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  long delivered = 0;
  // A failure here is not this call's failure; the rows stay queued.
  (void)DeliverQueued(deadline, kDeliveriesBeforeCall, &delivered);
}

grpc::Status Client::DeliverQueued(Clock::time_point deadline, long limit, long* delivered) {
  long tried = 0;
  long long after_sequence = 0;
  grpc::Status first_kept_failure;  // a kRetryLater failure, reported at the end
  while (tried < limit) {
    std::vector<QueuedRequest> batch;
    if (auto status = outbox_->Pending(after_sequence,
                                       static_cast<int>(std::min(limit - tried, 100L)), &batch);
        !status.ok()) {
      return status;
    }
    if (batch.empty()) break;
    for (const QueuedRequest& queued : batch) {
      ++tried;
      after_sequence = queued.sequence;
      v1::LogOutcomeRequest request;
      if (!request.ParseFromString(queued.payload)) {
        if (auto status = outbox_->MarkRejected(queued.request_id, SMP_DATA_LOSS,
                                                "the queued request cannot be decoded");
            !status.ok()) {
          return status;
        }
        continue;
      }
      if (Clock::now() >= deadline) {
        return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                            "deadline reached while delivering the outbox");
      }
      // One attempt per row: a service that is down stops the whole run.
      grpc::ClientContext context;
      PrepareContext(&context, deadline);
      v1::Outcome stored;
      const grpc::Status status = outcomes_->LogOutcome(&context, request, &stored);
      if (status.ok()) {
        // Deleted only now that the service has it. A crash before the delete
        // resends the same request_id, which the service answers from its
        // record: exactly once.
        if (auto deleted = outbox_->MarkDelivered(queued.request_id); !deleted.ok()) {
          return deleted;
        }
        ++*delivered;
        continue;
      }
      switch (ClassifyDeliveryFailure(status.error_code())) {
        case DeliveryFailure::kStopAll:
          return status;
        case DeliveryFailure::kRejectForGood:
          if (auto marked = outbox_->MarkRejected(queued.request_id, status.error_code(),
                                                  DescribeStatus(status));
              !marked.ok()) {
            return marked;
          }
          break;
        case DeliveryFailure::kRetryLater:
          if (auto marked = outbox_->MarkAttempt(queued.request_id, status.error_code(),
                                                 DescribeStatus(status));
              !marked.ok()) {
            return marked;
          }
          if (first_kept_failure.ok()) first_kept_failure = status;
          break;
      }
    }
  }
  return first_kept_failure;
}

grpc::Status Client::Flush(FlushReport* report) {
  if (!outbox_) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "smp_flush: this client has no outbox (config \"outboxPath\")");
  }
  const Clock::time_point deadline = DeadlineFromNow();
  grpc::Status stopped_by;
  {
    std::lock_guard<std::mutex> lock(delivery_mutex_);
    stopped_by = DeliverQueued(deadline, std::numeric_limits<long>::max(), &report->delivered);
  }
  if (auto status = outbox_->Counts(&report->pending, &report->rejected); !status.ok()) {
    return status;
  }
  report->outbox_read = true;
  if (!stopped_by.ok() || report->pending == 0) return stopped_by;
  // Another client on the same file queued more while this one delivered.
  return grpc::Status(grpc::StatusCode::ABORTED,
                      "more outcomes were queued during the flush; flush again");
}

grpc::Status Client::RecommendProtocol(const v1::RecommendProtocolRequest& request,
                                       v1::RecommendProtocolResponse* response) {
  const Clock::time_point deadline = DeadlineFromNow();
  DeliverQueuedBeforeCall(deadline);
  return WithRetries(deadline, [&](grpc::ClientContext* context) {
    return protocols_->RecommendProtocol(context, request, response);
  });
}

grpc::Status Client::LogOutcome(v1::LogOutcomeRequest* request, v1::Outcome* response,
                                bool* queued) {
  *queued = false;
  if (request->request_id().empty()) {
    grpc::Status chosen = ChooseRequestId(request->mutable_request_id());
    if (!chosen.ok()) return chosen;
  }
  const Clock::time_point deadline = DeadlineFromNow();
  DeliverQueuedBeforeCall(deadline);
  grpc::Status status = WithRetries(deadline, [&](grpc::ClientContext* context) {
    return outcomes_->LogOutcome(context, *request, response);
  });
  if (status.ok() || !outbox_ || !ServiceUnreachable(status.error_code())) return status;

  std::string payload;
  if (!request->SerializeToString(&payload)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize the request for the outbox");
  }
  if (auto stored = outbox_->Enqueue(request->request_id(), payload); !stored.ok()) {
    // Not queued: report both, the host must keep the outcome itself.
    return grpc::Status(status.error_code(),
                        status.error_message() + "; and the outbox failed: " +
                            stored.error_message());
  }
  *queued = true;
  return status;
}

grpc::Status Client::AmendOutcome(v1::AmendOutcomeRequest* request, v1::Outcome* response) {
  if (request->request_id().empty()) {
    grpc::Status chosen = ChooseRequestId(request->mutable_request_id());
    if (!chosen.ok()) return chosen;
  }
  const Clock::time_point deadline = DeadlineFromNow();
  DeliverQueuedBeforeCall(deadline);
  return WithRetries(deadline, [&](grpc::ClientContext* context) {
    return outcomes_->AmendOutcome(context, *request, response);
  });
}

grpc::Status Client::GetOutcome(const v1::GetOutcomeRequest& request, v1::Outcome* response) {
  const Clock::time_point deadline = DeadlineFromNow();
  DeliverQueuedBeforeCall(deadline);
  return WithRetries(deadline, [&](grpc::ClientContext* context) {
    return outcomes_->GetOutcome(context, request, response);
  });
}

grpc::Status Client::ListOutcomes(v1::ListOutcomesRequest* request,
                                  v1::ListOutcomesResponse* response) {
  // The host's view is a bounded page, whatever the host asks for.
  if (request->page_size() < 1) request->set_page_size(kDefaultPageSize);
  if (request->page_size() > kMaxPageSize) request->set_page_size(kMaxPageSize);
  const Clock::time_point deadline = DeadlineFromNow();
  // Delivering first lets the history show outcomes queued while offline.
  DeliverQueuedBeforeCall(deadline);
  return WithRetries(deadline, [&](grpc::ClientContext* context) {
    return outcomes_->ListOutcomes(context, *request, response);
  });
}

}  // namespace scoliomassage::plugin
