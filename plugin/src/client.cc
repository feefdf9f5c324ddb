#include "client.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
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
  client->reports_ = v1::ReportService::NewStub(client->channel_);
  client->assessments_ = v1::AssessmentService::NewStub(client->channel_);
  client->episodes_ = v1::EpisodeService::NewStub(client->channel_);
  client->curves_ = v1::CurveService::NewStub(client->channel_);
  if (!c.outbox_path.empty()) {
    if (auto status = Outbox::Open(c.outbox_path, &client->outbox_); !status.ok()) return status;
    // Started last: the thread uses everything above. Its first pass
    // delivers what earlier runs left in the file.
    client->owner_pid_ = ::getpid();
    Client* self = client.get();
    client->delivery_thread_ = std::make_unique<std::thread>([self] { self->DeliveryLoop(); });
  }
  *out = std::move(client);
  return grpc::Status::OK;
}

Client::~Client() {
  if (!delivery_thread_) return;
  if (::getpid() != owner_pid_) {
    // A forked child: the thread exists only in the parent. Joining or
    // detaching an id that is not ours is undefined; leave the object.
    (void)delivery_thread_.release();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stopping_ = true;
    // The row being sent stays in the file until acknowledged: cancelling
    // loses nothing, and a resend carries the same request_id.
    if (in_flight_ != nullptr) in_flight_->TryCancel();
  }
  wake_.notify_all();
  delivery_thread_->join();
}

void Client::WakeDelivery() {
  if (!delivery_thread_) return;
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    wake_requested_ = true;
  }
  wake_.notify_one();
}

void Client::AfterCall(const grpc::Status& status) {
  if (!delivery_thread_ || ServiceUnreachable(status.error_code())) return;
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    // Only a thread waiting out an outage is woken: the service answered
    // this call, so it is back. Rows kept for their own failure wait for
    // the timer, so that they are not resent on every check-in.
    if (!delivery_stopped_) return;
    wake_requested_ = true;
  }
  wake_.notify_one();
}

void Client::DeliveryLoop() {
  // Visible in ps/gdb and /proc (tests check that close leaves none).
  pthread_setname_np(pthread_self(), "smp-outbox");
  std::chrono::milliseconds backoff = config_.outbox_retry;
  const std::chrono::milliseconds max_backoff = std::max(config_.outbox_retry, kMaxOutboxRetry);
  while (true) {
    const PassResult pass = DeliveryPass();
    if (pass == PassResult::kStopped) {
      {
        std::lock_guard<std::mutex> lock(wake_mutex_);
        if (stopping_) return;
        delivery_stopped_ = true;
      }
      WaitOutOutage(backoff);
      backoff = std::min(backoff * 2, max_backoff);
      std::lock_guard<std::mutex> lock(wake_mutex_);
      if (stopping_) return;
      delivery_stopped_ = false;
      continue;
    }
    std::chrono::milliseconds wait = kMaxOutboxRetry;
    if (pass == PassResult::kAllThrough) {
      backoff = config_.outbox_retry;
    } else {
      wait = backoff;
      backoff = std::min(backoff * 2, max_backoff);
    }
    std::unique_lock<std::mutex> lock(wake_mutex_);
    // A wake-up that came during the pass is not lost: the flag stays set.
    wake_.wait_for(lock, wait, [this] { return stopping_ || wake_requested_; });
    if (stopping_) return;
    wake_requested_ = false;
  }
}

void Client::WaitOutOutage(std::chrono::milliseconds backoff) {
  // Not a plain sleep: a sync gRPC channel makes progress (connects) only
  // while some thread polls it, and while the service is down no host call
  // does. Waiting on the channel's state drives the reconnection, so the
  // service coming back ends the wait at once (READY). Slices keep close,
  // a wake-up or a host call that reached the service within ~100 ms.
  constexpr std::chrono::milliseconds kSlice{100};
  const auto until = std::chrono::steady_clock::now() + backoff;
  grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY) {
    {
      std::lock_guard<std::mutex> lock(wake_mutex_);
      if (stopping_) return;
      if (wake_requested_) {
        wake_requested_ = false;
        return;
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return;
    const auto slice = std::min<std::chrono::steady_clock::duration>(until - now, kSlice);
    if (channel_->WaitForStateChange(state, Clock::now() + slice)) {
      state = channel_->GetState(/*try_to_connect=*/true);
    }
  }
}

Client::PassResult Client::DeliveryPass() {
  long long after_sequence = 0;
  PassResult result = PassResult::kAllThrough;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(wake_mutex_);
      if (stopping_) return result;
    }
    // One row at a time, read under the lock: a row smp_flush delivered
    // meanwhile is gone from the file, so it is never sent twice from here.
    std::lock_guard<std::timed_mutex> delivering(delivery_mutex_);
    std::vector<QueuedRequest> next;
    if (auto status = outbox_->Pending(after_sequence, 1, &next); !status.ok()) {
      return PassResult::kStopped;
    }
    if (next.empty()) return result;
    after_sequence = next.front().sequence;
    grpc::Status failure;
    switch (DeliverRow(next.front(), DeadlineFromNow(), /*cancellable=*/true, &failure)) {
      case RowResult::kDelivered:
      case RowResult::kRejected:
        break;
      case RowResult::kKept:
        result = PassResult::kSomeKept;
        break;
      case RowResult::kStop:
        return PassResult::kStopped;
    }
  }
}

void Client::PrepareContext(grpc::ClientContext* context, Clock::time_point deadline) const {
  context->set_deadline(deadline);
  if (!config_.tls && !config_.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + config_.token);
  }
  // Operators see the backlog of every host (scoliomassage_host_outbox_depth).
  if (outbox_) context->AddMetadata("x-smp-outbox-depth", std::to_string(outbox_->PendingHint()));
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

Client::RowResult Client::DeliverRow(const QueuedRequest& queued, Clock::time_point deadline,
                                     bool cancellable, grpc::Status* status) {
  v1::LogOutcomeRequest request;
  if (!request.ParseFromString(queued.payload)) {
    if (auto marked = outbox_->MarkRejected(queued.request_id, SMP_DATA_LOSS,
                                            "the queued request cannot be decoded");
        !marked.ok()) {
      *status = marked;
      return RowResult::kStop;
    }
    return RowResult::kRejected;
  }
  grpc::ClientContext context;
  PrepareContext(&context, deadline);
  if (cancellable) {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    if (stopping_) {
      *status = grpc::Status(grpc::StatusCode::CANCELLED, "the client is closing");
      return RowResult::kStop;
    }
    in_flight_ = &context;
  }
  v1::Outcome stored;
  // One attempt per row: a service that is down stops the whole run.
  const grpc::Status sent = outcomes_->LogOutcome(&context, request, &stored);
  if (cancellable) {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    in_flight_ = nullptr;
  }
  if (sent.ok()) {
    // Deleted only now that the service has it. A crash (or a close) before
    // the delete resends the same request_id, which the service answers from
    // its record: exactly once.
    if (auto deleted = outbox_->MarkDelivered(queued.request_id); !deleted.ok()) {
      *status = deleted;
      return RowResult::kStop;
    }
    return RowResult::kDelivered;
  }
  *status = sent;
  switch (ClassifyDeliveryFailure(sent.error_code())) {
    case DeliveryFailure::kStopAll:
      return RowResult::kStop;
    case DeliveryFailure::kRejectForGood:
      if (auto marked = outbox_->MarkRejected(queued.request_id, sent.error_code(),
                                              DescribeStatus(sent));
          !marked.ok()) {
        *status = marked;
        return RowResult::kStop;
      }
      return RowResult::kRejected;
    case DeliveryFailure::kRetryLater:
      if (auto marked = outbox_->MarkAttempt(queued.request_id, sent.error_code(),
                                             DescribeStatus(sent));
          !marked.ok()) {
        *status = marked;
        return RowResult::kStop;
      }
      return RowResult::kKept;
  }
  return RowResult::kKept;
}

grpc::Status Client::DeliverQueued(Clock::time_point deadline, long* delivered) {
  long long after_sequence = 0;
  grpc::Status first_kept_failure;  // a kRetryLater failure, reported at the end
  while (true) {
    std::vector<QueuedRequest> batch;
    if (auto status = outbox_->Pending(after_sequence, 100, &batch); !status.ok()) {
      return status;
    }
    if (batch.empty()) break;
    for (const QueuedRequest& queued : batch) {
      after_sequence = queued.sequence;
      if (Clock::now() >= deadline) {
        return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                            "deadline reached while delivering the outbox");
      }
      grpc::Status failure;
      switch (DeliverRow(queued, deadline, /*cancellable=*/false, &failure)) {
        case RowResult::kDelivered:
          ++*delivered;
          break;
        case RowResult::kRejected:
          break;
        case RowResult::kKept:
          if (first_kept_failure.ok()) first_kept_failure = failure;
          break;
        case RowResult::kStop:
          return failure;
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
  // The delivery thread holds the lock for one row at most.
  std::unique_lock<std::timed_mutex> lock(delivery_mutex_, std::defer_lock);
  if (lock.try_lock_until(deadline)) {
    stopped_by = DeliverQueued(deadline, &report->delivered);
    lock.unlock();
  } else {
    stopped_by = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                              "the background delivery kept the outbox busy until the deadline");
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
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return protocols_->RecommendProtocol(context, request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::LogOutcome(v1::LogOutcomeRequest* request, v1::Outcome* response,
                                bool* queued) {
  *queued = false;
  // Chosen once, before the first attempt, so that every retry and every
  // outbox delivery carries the same id.
  if (request->request_id().empty()) {
    grpc::Status chosen = ChooseRequestId(request->mutable_request_id());
    if (!chosen.ok()) return chosen;
  }
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return outcomes_->LogOutcome(context, *request, response);
  });
  AfterCall(status);
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
  WakeDelivery();
  return status;
}

grpc::Status Client::AmendOutcome(v1::AmendOutcomeRequest* request, v1::Outcome* response) {
  if (request->request_id().empty()) {
    grpc::Status chosen = ChooseRequestId(request->mutable_request_id());
    if (!chosen.ok()) return chosen;
  }
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return outcomes_->AmendOutcome(context, *request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::RecordCurveMeasurement(v1::RecordCurveMeasurementRequest* request,
                                            v1::CurveMeasurement* response) {
  if (request->request_id().empty()) {
    grpc::Status chosen = ChooseRequestId(request->mutable_request_id());
    if (!chosen.ok()) return chosen;
  }
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return curves_->RecordCurveMeasurement(context, *request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::AmendCurveMeasurement(v1::AmendCurveMeasurementRequest* request,
                                           v1::CurveMeasurement* response) {
  if (request->request_id().empty()) {
    grpc::Status chosen = ChooseRequestId(request->mutable_request_id());
    if (!chosen.ok()) return chosen;
  }
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return curves_->AmendCurveMeasurement(context, *request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::ListCurveMeasurements(const v1::ListCurveMeasurementsRequest& request,
                                           v1::ListCurveMeasurementsResponse* response) {
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return curves_->ListCurveMeasurements(context, request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::GetOutcome(const v1::GetOutcomeRequest& request, v1::Outcome* response) {
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return outcomes_->GetOutcome(context, request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::ListOutcomes(v1::ListOutcomesRequest* request,
                                  v1::ListOutcomesResponse* response) {
  // The host's view is a bounded page, whatever the host asks for.
  if (request->page_size() < 1) request->set_page_size(kDefaultPageSize);
  if (request->page_size() > kMaxPageSize) request->set_page_size(kMaxPageSize);
  // Outcomes still in the outbox are not in the history yet; the delivery
  // thread sends them as soon as the service is reachable (smp_flush forces).
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return outcomes_->ListOutcomes(context, *request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::GetPatientReport(const v1::GetPatientReportRequest& request,
                                      v1::PatientReport* response) {
  // A read: retried like the other reads.
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return reports_->GetPatientReport(context, request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::RecordAssessment(v1::RecordAssessmentRequest* request,
                                      v1::Assessment* response) {
  if (request->request_id().empty()) {
    grpc::Status chosen = ChooseRequestId(request->mutable_request_id());
    if (!chosen.ok()) return chosen;
  }
  // The same request_id on every retry: the service stores it once.
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return assessments_->RecordAssessment(context, *request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::ListAssessments(v1::ListAssessmentsRequest* request,
                                     v1::ListAssessmentsResponse* response) {
  if (request->page_size() < 1) request->set_page_size(kDefaultPageSize);
  if (request->page_size() > kMaxPageSize) request->set_page_size(kMaxPageSize);
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return assessments_->ListAssessments(context, *request, response);
  });
  AfterCall(status);
  return status;
}

grpc::Status Client::GetEpisodeResult(const v1::GetEpisodeResultRequest& request,
                                      v1::EpisodeResult* response) {
  grpc::Status status = WithRetries(DeadlineFromNow(), [&](grpc::ClientContext* context) {
    return episodes_->GetEpisodeResult(context, request, response);
  });
  AfterCall(status);
  return status;
}

}  // namespace scoliomassage::plugin
