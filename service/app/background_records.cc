#include "app/background_records.h"

#include <string>
#include <utility>

#include "observability/log.h"

namespace scoliomassage::app {

using observability::Log;
using observability::LogLevel;

namespace {

// Concurrent writers the store can group into one commit. More would only
// hold more database connections (PostgreSQL) without more throughput.
constexpr size_t kWriters = 8;

}  // namespace

BackgroundRecords::BackgroundRecords(storage::Store& store, size_t max_queued)
    : store_(store),
      writers_(kWriters, max_queued),
      queue_depth_(observability::ReportAtScrape(observability::BackgroundQueueDepthGauge(), [this] {
        return static_cast<double>(writers_.queued());
      })) {}

BackgroundRecords::~BackgroundRecords() = default;

void BackgroundRecords::Record(AuditEvent event) {
  if (!IsAudited(event) || event.stored_with_write) return;
  Submit([this, entry = ToAuditEntry(event)] { return store_.AppendAudit(entry); });
}

void BackgroundRecords::Record(const std::string& clinic_id,
                               const v1::RecommendProtocolRequest& request,
                               const v1::RecommendProtocolResponse& response) {
  // Serialized here, once: capturing the two messages would copy them (a
  // full protocol, its steps and the basis), and the store serializes them
  // anyway. One that cannot be stored still fails in the background (queued
  // or dropped and counted like any record, then logged).
  Submit([this, clinic_id, record = storage::MakeRecommendationRecord(request, response)] {
    if (!record.ok()) return record.status();
    return store_.SaveRecommendationRecord(clinic_id, *record);
  });
}

void BackgroundRecords::Submit(std::function<absl::Status()> write) {
  const bool queued = writers_.TrySubmit([write = std::move(write)] {
    if (absl::Status status = write(); !status.ok()) {
      Log(LogLevel::kError, "background write failed", {{"status", status.ToString()}});
    }
  });
  if (queued) return;
  observability::CountDroppedRecord();
  const uint64_t dropped = dropped_.fetch_add(1) + 1;
  if ((dropped & (dropped - 1)) == 0) {  // log at powers of two, not per drop
    Log(LogLevel::kError, "background write queue full; record dropped",
        {{"dropped_total", std::to_string(dropped)}});
  }
}

}  // namespace scoliomassage::app
