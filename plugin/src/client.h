// The gRPC side of one smp_client: a channel, its stubs, the retry and
// deadline policy, and the outbox delivery thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "config.h"
#include "outbox.h"
#include "scoliomassage/v1/assessment.grpc.pb.h"
#include "scoliomassage/v1/episode.grpc.pb.h"
#include "scoliomassage/v1/curve.grpc.pb.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "scoliomassage/v1/report.grpc.pb.h"

namespace scoliomassage::plugin {

namespace v1 = ::scoliomassage::v1;

struct FlushReport {
  long delivered = 0;
  long pending = 0;
  std::vector<RejectedRequest> rejected;
  bool outbox_read = false;  // the counts above are valid
};

// Thread-safe: the channel and stubs are, and the outbox serializes itself.
//
// With an outbox, the client owns one delivery thread. Host calls never
// deliver queued outcomes themselves (a backlog would eat their deadline);
// they only wake the thread: when an outcome is queued, and when a call
// reached the service while rows may be pending. Otherwise the thread
// sleeps, on a doubling back-off while the service is unreachable, and
// rereads the file every kMaxOutboxRetry for rows another process left.
class Client {
 public:
  static grpc::Status Create(ClientConfig config, std::unique_ptr<Client>* out);
  // Stops the delivery thread (cancelling the one request it may have in
  // flight; that row stays queued and is resent with its request_id) and
  // joins it, so no thread of the library runs after smp_client_close.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

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
  grpc::Status GetPatientReport(const v1::GetPatientReportRequest& request,
                                v1::PatientReport* response);
  // Curve measurements; the writes fill request_id when empty. Never queued.
  grpc::Status RecordCurveMeasurement(v1::RecordCurveMeasurementRequest* request,
                                      v1::CurveMeasurement* response);
  grpc::Status AmendCurveMeasurement(v1::AmendCurveMeasurementRequest* request,
                                     v1::CurveMeasurement* response);
  grpc::Status ListCurveMeasurements(const v1::ListCurveMeasurementsRequest& request,
                                     v1::ListCurveMeasurementsResponse* response);
  // FAILED_PRECONDITION without an outbox.
  grpc::Status Flush(FlushReport* report);
  // Fills request_id when empty. Never queued: a questionnaire is scored by
  // the service, and a host shows the scores at once.
  grpc::Status RecordAssessment(v1::RecordAssessmentRequest* request, v1::Assessment* response);
  grpc::Status ListAssessments(v1::ListAssessmentsRequest* request,
                               v1::ListAssessmentsResponse* response);
  grpc::Status GetEpisodeResult(const v1::GetEpisodeResultRequest& request,
                                v1::EpisodeResult* response);

 private:
  using Clock = std::chrono::system_clock;

  // What delivering one queued row did.
  enum class RowResult {
    kDelivered,  // acknowledged and deleted
    kRejected,   // refused for good, marked rejected
    kKept,       // failed for this row only; stays pending
    kStop,       // the service cannot take anything now, or the file failed
  };

  explicit Client(ClientConfig config) : config_(std::move(config)) {}
  Clock::time_point DeadlineFromNow() const { return Clock::now() + config_.deadline; }
  void PrepareContext(grpc::ClientContext* context, Clock::time_point deadline) const;
  template <typename Attempt>
  grpc::Status WithRetries(Clock::time_point deadline, Attempt&& attempt);
  // Sends one queued row (one attempt) and records the answer in the file.
  // `status` receives the failure for kKept and kStop. With `cancellable`,
  // the destructor may cancel the request.
  RowResult DeliverRow(const QueuedRequest& queued, Clock::time_point deadline,
                       bool cancellable, grpc::Status* status);
  // smp_flush: delivers until the outbox is empty, the deadline passes, or
  // the service cannot take more (that status is returned).
  grpc::Status DeliverQueued(Clock::time_point deadline, long* delivered);
  enum class PassResult {
    kAllThrough,  // nothing is pending any more
    kSomeKept,    // rows failed on their own (INTERNAL, ...) and stay pending
    kStopped,     // the service is unreachable (or the file failed)
  };
  // The delivery thread's body.
  void DeliveryLoop();
  // One pass of the thread over the pending rows, oldest first, each row
  // with its own deadline.
  PassResult DeliveryPass();
  // The back-off after a pass stopped by an unreachable service: returns
  // after `backoff`, or earlier when the channel is READY again, on a
  // wake-up, or on close.
  void WaitOutOutage(std::chrono::milliseconds backoff);
  void WakeDelivery();
  // After a host call: when the service answered while the thread waits out
  // an outage, the rows can go now.
  void AfterCall(const grpc::Status& status);

  const ClientConfig config_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ProtocolService::Stub> protocols_;
  std::unique_ptr<v1::OutcomeService::Stub> outcomes_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::AssessmentService::Stub> assessments_;
  std::unique_ptr<v1::EpisodeService::Stub> episodes_;
  std::unique_ptr<v1::CurveService::Stub> curves_;
  std::unique_ptr<Outbox> outbox_;
  // Held while one row is read and sent (by the thread) or for a whole
  // smp_flush, so that no row is sent twice at once from this client. Timed,
  // so that smp_flush waits for the thread's row only within its deadline.
  std::timed_mutex delivery_mutex_;

  // The thread's wake-ups and stop, and the request it may need cancelled.
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool wake_requested_ = false;
  bool stopping_ = false;
  bool delivery_stopped_ = false;  // the last pass ended on an unreachable service
  grpc::ClientContext* in_flight_ = nullptr;
  // A unique_ptr so that a forked child, which has no such thread, can drop
  // it without a pthread call on a thread id that is not its own.
  std::unique_ptr<std::thread> delivery_thread_;
  pid_t owner_pid_ = 0;
};

}  // namespace scoliomassage::plugin
