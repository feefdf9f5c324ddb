// The offline outbox: outcomes that could not be delivered, kept durably in a
// local SQLite file until the service acknowledges them.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

struct sqlite3;

namespace scoliomassage::plugin {

struct QueuedRequest {
  long long sequence = 0;  // rowid: queue order
  std::string request_id;
  std::string payload;  // a serialized LogOutcomeRequest (binary protobuf)
};

struct RejectedRequest {
  std::string request_id;
  int code = 0;
  std::string error;
};

class Outbox {
 public:
  // Opens or creates the file: WAL journal and synchronous=FULL, so a row is
  // on disk when Enqueue returns, and readers never block the writer.
  static grpc::Status Open(const std::string& path, std::unique_ptr<Outbox>* out);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Keeps the first payload when the request_id is already queued, as the
  // service does.
  grpc::Status Enqueue(const std::string& request_id, const std::string& payload);
  // Up to `limit` pending rows queued after `after_sequence`, oldest first.
  grpc::Status Pending(long long after_sequence, int limit, std::vector<QueuedRequest>* out);
  // Called only after the service acknowledged the request.
  grpc::Status MarkDelivered(const std::string& request_id);
  // The service refused it for good: keep it for a person, never resend it.
  grpc::Status MarkRejected(const std::string& request_id, int code, const std::string& error);
  // A failed delivery that may succeed later: stays pending, for diagnosis.
  grpc::Status MarkAttempt(const std::string& request_id, int code, const std::string& error);
  grpc::Status Counts(long* pending, std::vector<RejectedRequest>* rejected);
  // Pending rows without a query, for the x-smp-outbox-depth header on every
  // call: counted at Open and by this process's own changes, and re-counted
  // by every Counts (smp_flush). Another process sharing the file makes it
  // drift until then; it is a gauge for operators, never a decision input.
  long PendingHint() const { return pending_.load(std::memory_order_relaxed); }

 private:
  explicit Outbox(sqlite3* db) : db_(db) {}
  grpc::Status Execute(const char* sql);
  void AdjustPending(long delta);


  sqlite3* db_;
  std::mutex mutex_;  // one statement sequence at a time on the connection
  std::atomic<long> pending_{0};
};

}  // namespace scoliomassage::plugin
