// The process's Prometheus metrics: one registry and every metric family,
// declared here and nowhere else (prometheus-cpp core, Debian's
// prometheus-cpp-dev). The HTTP face serves Scrape() at GET /metrics; there
// is no second HTTP server (prometheus-cpp's "pull" Exposer is not used).
//
// Hot paths stay cheap: a gRPC call's counter and histogram are looked up
// once per (method, code) and cached in a fixed table of atomic pointers, so
// recording a call is two atomic loads, an increment and an observe. HTTP
// requests, rarer, take one mutex-guarded map lookup.
//
// No gRPC and no app types here (observability sits below app): callers pass
// numbers and names.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace prometheus {
class Gauge;
}

namespace scoliomassage::observability {

// The text exposition format 0.0.4 of every metric, after the scrape hooks
// (ReportAtScrape) have set their gauges.
std::string ScrapeMetrics();
inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// One finished gRPC call: `method` a small index (auth::Method) with its
// name, `code` the canonical status code (0-16).
void RecordGrpcCall(int method, absl::string_view method_name, int code, double seconds);
// A gRPC call refused because the call queue was full.
void CountRejectedCall();

// One finished HTTP request on `route` (the route template, never the raw
// path) with its status.
void RecordHttpRequest(const std::string& route, int status, double seconds);

// A background record (audit, recommendation) dropped because its queue was full.
void CountDroppedRecord();

// The units one SQLite group commit wrote together.
void RecordCommitBatch(size_t units);
// A store failure (unavailable, disk full, corrupt, ...) by its reason.
void CountStoreError(absl::string_view reason);

// The outbox depth a host reported on a call (gRPC metadata
// x-smp-outbox-depth), per principal.
void SetHostOutboxDepth(const std::string& principal, double depth);

// The analytics standby as the monitor last saw it (only with
// --analytics_database); lag_seconds is +Inf when unknown.
void SetAnalyticsStandby(bool usable, double lag_seconds, double lag_bytes);

// Gauges read at scrape time.
prometheus::Gauge& CallQueueDepthGauge();
prometheus::Gauge& BackgroundQueueDepthGauge();

// Sets `gauge` from `read` at every scrape for as long as the handle lives;
// destroy it before what `read` reads.
class ScrapeHook {
 public:
  virtual ~ScrapeHook() = default;
};
std::unique_ptr<ScrapeHook> ReportAtScrape(prometheus::Gauge& gauge, std::function<double()> read);

}  // namespace scoliomassage::observability
