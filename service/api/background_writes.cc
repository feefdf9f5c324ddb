#include "api/background_writes.h"

#include <string>

#include "observability/log.h"

namespace scoliomassage::api {

using observability::Log;
using observability::LogLevel;

namespace {

// Concurrent writers the store can group into one commit. More would only
// hold more database connections (PostgreSQL) without more throughput.
constexpr int kWriters = 8;

}  // namespace

BackgroundWrites::BackgroundWrites(storage::Store& store, size_t max_queued)
    : store_(store), max_queued_(max_queued) {
  for (int i = 0; i < kWriters; ++i) writers_.emplace_back([this] { RunWriter(); });
}

BackgroundWrites::~BackgroundWrites() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& writer : writers_) writer.join();
}

void BackgroundWrites::Audit(storage::AuditEntry entry) { Enqueue(std::move(entry)); }

void BackgroundWrites::Recommendation(std::string clinic_id, v1::RecommendProtocolRequest request,
                                      v1::RecommendProtocolResponse response) {
  Enqueue(RecommendationRecord{std::move(clinic_id), std::move(request), std::move(response)});
}

void BackgroundWrites::Enqueue(Item item) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= max_queued_) {
      ++dropped_;
      if ((dropped_ & (dropped_ - 1)) == 0) {  // log at powers of two, not per drop
        Log(LogLevel::kError, "background write queue full; record dropped",
            {{"dropped_total", std::to_string(dropped_)}});
      }
      return;
    }
    queue_.push_back(std::move(item));
    ++enqueued_;
  }
  changed_.notify_all();
}

void BackgroundWrites::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t target = enqueued_;
  changed_.wait(lock, [&] { return written_ >= target; });
}

void BackgroundWrites::Write(const Item& item) {
  absl::Status status;
  if (const auto* audit = std::get_if<storage::AuditEntry>(&item)) {
    status = store_.AppendAudit(*audit);
  } else {
    const auto& record = std::get<RecommendationRecord>(item);
    status = store_.SaveRecommendation(record.clinic_id, record.request, record.response);
  }
  if (!status.ok()) {
    Log(LogLevel::kError, "background write failed", {{"status", status.ToString()}});
  }
}

void BackgroundWrites::RunWriter() {
  for (;;) {
    Item item;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    Write(item);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++written_;
    }
    changed_.notify_all();
  }
}

}  // namespace scoliomassage::api
