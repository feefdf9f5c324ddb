// Writes audit and recommendation records through the Store without the
// caller waiting. Waiting for their fsync would put a disk flush on the
// check-in path (CDS Hooks budget) for data the caller never reads back, so
// they are queued and written by a few threads whose concurrent writes the
// store's writer group-commits (one fsync for many records). The trade-off:
// a crash can lose the last few milliseconds of such records (never an
// outcome: outcomes are acknowledged only after their own commit). When the
// queue is full, new records are dropped and counted; the count is logged.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "app/audit_trail.h"
#include "base/work_queue.h"
#include "observability/metrics.h"
#include "storage/store.h"

namespace scoliomassage::app {

class BackgroundRecords final : public AuditTrail, public RecommendationLog {
 public:
  BackgroundRecords(storage::Store& store, size_t max_queued);
  ~BackgroundRecords() override;  // writes what is queued, then stops

  void Record(AuditEvent event) override;
  void Record(const std::string& clinic_id, const v1::RecommendProtocolRequest& request,
              const v1::RecommendProtocolResponse& response) override;

  // Blocks until everything queued so far is written (shutdown, tests).
  void Flush() override { writers_.Flush(); }
  uint64_t dropped() const { return dropped_.load(); }

 private:
  void Submit(std::function<absl::Status()> write);

  storage::Store& store_;
  std::atomic<uint64_t> dropped_{0};
  base::WorkQueue writers_;  // joined before the members above go
  // The queue's depth at each metrics scrape; gone before writers_.
  std::unique_ptr<observability::ScrapeHook> queue_depth_;
};

}  // namespace scoliomassage::app
