#include "api/background_writes.h"

#include <string>
#include <vector>

#include "observability/log.h"

namespace scoliomassage::api {

using observability::Log;
using observability::LogLevel;

BackgroundWrites::BackgroundWrites(storage::Store& store, size_t max_queued)
    : store_(store), max_queued_(max_queued), thread_([this] { Run(); }) {}

BackgroundWrites::~BackgroundWrites() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
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

void BackgroundWrites::Run() {
  for (;;) {
    std::deque<Item> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      batch.swap(queue_);
    }
    // The store's writer group-commits concurrent writes; handing it the batch
    // from a few threads at once lets one fsync cover many records.
    constexpr size_t kParallel = 8;
    std::vector<std::thread> writers;
    const size_t per_thread = (batch.size() + kParallel - 1) / kParallel;
    for (size_t begin = 0; begin < batch.size(); begin += per_thread) {
      const size_t end = std::min(batch.size(), begin + per_thread);
      writers.emplace_back([this, &batch, begin, end] {
        for (size_t i = begin; i < end; ++i) Write(batch[i]);
      });
    }
    for (auto& writer : writers) writer.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      written_ += batch.size();
    }
    changed_.notify_all();
  }
}

}  // namespace scoliomassage::api
