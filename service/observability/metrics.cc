#include "observability/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <atomic>
#include <list>
#include <map>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"

#ifndef SCOLIOMASSAGE_VERSION
#define SCOLIOMASSAGE_VERSION "unknown"
#endif
#ifndef SCOLIOMASSAGE_GIT_COMMIT
#define SCOLIOMASSAGE_GIT_COMMIT "unknown"
#endif

namespace scoliomassage::observability {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

constexpr int kMaxMethods = 64;
constexpr int kCodes = 17;  // google.rpc.Code OK..UNAUTHENTICATED

// Latency buckets in seconds: a check-in is about a millisecond; the CDS
// budget and client deadlines are seconds.
const Histogram::BucketBoundaries& LatencyBuckets() {
  static const Histogram::BucketBoundaries buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5, 5};
  return buckets;
}

const char* CodeName(int code) {
  static const char* const names[kCodes] = {
      "OK",        "CANCELLED",         "UNKNOWN",           "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS",    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",      "UNIMPLEMENTED",    "INTERNAL",
      "UNAVAILABLE", "DATA_LOSS",       "UNAUTHENTICATED"};
  return code >= 0 && code < kCodes ? names[code] : "UNKNOWN";
}

struct CallSeries {
  Counter* calls;
  Histogram* latency;
};

class MetricsRegistry {
 public:
  MetricsRegistry()
      : registry_(std::make_shared<prometheus::Registry>()),
        grpc_calls_(prometheus::BuildCounter()
                        .Name("scoliomassage_grpc_calls_total")
                        .Help("Finished gRPC calls by method and status code")
                        .Register(*registry_)),
        grpc_latency_(prometheus::BuildHistogram()
                          .Name("scoliomassage_grpc_call_duration_seconds")
                          .Help("gRPC call latency, from arrival to the status, by method and code")
                          .Register(*registry_)),
        http_requests_(prometheus::BuildCounter()
                           .Name("scoliomassage_http_requests_total")
                           .Help("Finished HTTP requests by route template and status")
                           .Register(*registry_)),
        http_latency_(prometheus::BuildHistogram()
                          .Name("scoliomassage_http_request_duration_seconds")
                          .Help("HTTP request latency by route template and status")
                          .Register(*registry_)),
        rejected_calls_(prometheus::BuildCounter()
                            .Name("scoliomassage_rejected_calls_total")
                            .Help("gRPC calls refused with RESOURCE_EXHAUSTED: the call queue was full")
                            .Register(*registry_)
                            .Add({})),
        call_queue_depth_(prometheus::BuildGauge()
                              .Name("scoliomassage_call_queue_depth")
                              .Help("gRPC calls waiting for a worker thread")
                              .Register(*registry_)
                              .Add({})),
        background_depth_(prometheus::BuildGauge()
                              .Name("scoliomassage_background_records_queue_depth")
                              .Help("Audit and recommendation records waiting to be written")
                              .Register(*registry_)
                              .Add({})),
        dropped_records_(prometheus::BuildCounter()
                             .Name("scoliomassage_background_records_dropped_total")
                             .Help("Audit and recommendation records dropped: their queue was full")
                             .Register(*registry_)
                             .Add({})),
        commit_batch_(prometheus::BuildHistogram()
                          .Name("scoliomassage_sqlite_commit_batch_size")
                          .Help("Writes committed together by one SQLite group commit (one fsync)")
                          .Register(*registry_)
                          .Add({}, Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128})),
        store_errors_(prometheus::BuildCounter()
                          .Name("scoliomassage_store_errors_total")
                          .Help("Store operations that failed in the database, by reason")
                          .Register(*registry_)),
        outbox_depth_(prometheus::BuildGauge()
                          .Name("scoliomassage_host_outbox_depth")
                          .Help("Outcomes queued in a host's plugin outbox, as last reported by that host")
                          .Register(*registry_)),
        standby_usable_(prometheus::BuildGauge()
                            .Name("scoliomassage_analytics_standby_usable")
                            .Help("1 while analytics reads are served by the standby, else 0")
                            .Register(*registry_)
                            .Add({})),
        standby_lag_seconds_(prometheus::BuildGauge()
                                 .Name("scoliomassage_analytics_standby_lag_seconds")
                                 .Help("Replication lag of the analytics standby (+Inf: unknown)")
                                 .Register(*registry_)
                                 .Add({})),
        standby_lag_bytes_(prometheus::BuildGauge()
                               .Name("scoliomassage_analytics_standby_lag_bytes")
                               .Help("WAL bytes the analytics standby has still to replay")
                               .Register(*registry_)
                               .Add({})) {
    prometheus::BuildGauge()
        .Name("scoliomassage_build_info")
        .Help("Always 1; the labels say which build is running")
        .Register(*registry_)
        .Add({{"version", SCOLIOMASSAGE_VERSION}, {"git_commit", SCOLIOMASSAGE_GIT_COMMIT}})
        .Set(1);
    for (auto& row : grpc_) {
      for (auto& cell : row) cell.store(nullptr, std::memory_order_relaxed);
    }
  }

  void RecordGrpc(int method, absl::string_view method_name, int code, double seconds) {
    if (method < 0 || method >= kMaxMethods) return;
    if (code < 0 || code >= kCodes) code = 2;  // UNKNOWN
    std::atomic<CallSeries*>& cell = grpc_[method][code];
    CallSeries* series = cell.load(std::memory_order_acquire);
    if (series == nullptr) {
      std::lock_guard<std::mutex> lock(mutex_);
      series = cell.load(std::memory_order_relaxed);
      if (series == nullptr) {
        const std::map<std::string, std::string> labels = {{"method", std::string(method_name)},
                                                           {"code", CodeName(code)}};
        series_.push_back({&grpc_calls_.Add(labels), &grpc_latency_.Add(labels, LatencyBuckets())});
        series = &series_.back();
        cell.store(series, std::memory_order_release);
      }
    }
    series->calls->Increment();
    series->latency->Observe(seconds);
  }

  void RecordHttp(const std::string& route, int status, double seconds) {
    CallSeries* series;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto [it, inserted] = http_.try_emplace(std::make_pair(route, status), CallSeries{});
      if (inserted) {
        const std::map<std::string, std::string> labels = {{"route", route},
                                                           {"status", absl::StrCat(status)}};
        it->second = {&http_requests_.Add(labels), &http_latency_.Add(labels, LatencyBuckets())};
      }
      series = &it->second;
    }
    series->calls->Increment();
    series->latency->Observe(seconds);
  }

  void CountStoreError(absl::string_view reason) {
    std::lock_guard<std::mutex> lock(mutex_);
    store_errors_.Add({{"reason", std::string(reason)}}).Increment();
  }

  void SetOutbox(const std::string& principal, double depth) {
    std::lock_guard<std::mutex> lock(mutex_);
    outbox_depth_.Add({{"principal", principal}}).Set(depth);
  }

  void SetStandby(bool usable, double lag_seconds, double lag_bytes) {
    standby_usable_.Set(usable ? 1 : 0);
    standby_lag_seconds_.Set(lag_seconds);
    standby_lag_bytes_.Set(lag_bytes);
  }

  struct Hook {
    Gauge* gauge;
    std::function<double()> read;
  };

  std::list<Hook>::iterator AddHook(Gauge& gauge, std::function<double()> read) {
    std::lock_guard<std::mutex> lock(hooks_mutex_);
    return hooks_.insert(hooks_.end(), Hook{&gauge, std::move(read)});
  }
  void RemoveHook(std::list<Hook>::iterator hook) {
    std::lock_guard<std::mutex> lock(hooks_mutex_);
    hooks_.erase(hook);
  }

  std::string Scrape() {
    {
      // Held while reading, so a hook's owner cannot go away mid-read.
      std::lock_guard<std::mutex> lock(hooks_mutex_);
      for (Hook& hook : hooks_) hook.gauge->Set(hook.read());
    }
    return prometheus::TextSerializer().Serialize(registry_->Collect());
  }

  Counter& rejected_calls() { return rejected_calls_; }
  Counter& dropped_records() { return dropped_records_; }
  Gauge& call_queue_depth() { return call_queue_depth_; }
  Gauge& background_depth() { return background_depth_; }
  Histogram& commit_batch() { return commit_batch_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  Family<Counter>& grpc_calls_;
  Family<Histogram>& grpc_latency_;
  Family<Counter>& http_requests_;
  Family<Histogram>& http_latency_;
  Counter& rejected_calls_;
  Gauge& call_queue_depth_;
  Gauge& background_depth_;
  Counter& dropped_records_;
  Histogram& commit_batch_;
  Family<Counter>& store_errors_;
  Family<Gauge>& outbox_depth_;
  Gauge& standby_usable_;
  Gauge& standby_lag_seconds_;
  Gauge& standby_lag_bytes_;

  std::mutex mutex_;  // creating series; the HTTP map
  std::array<std::array<std::atomic<CallSeries*>, kCodes>, kMaxMethods> grpc_;
  std::list<CallSeries> series_;  // stable addresses for grpc_
  std::map<std::pair<std::string, int>, CallSeries> http_;

  std::mutex hooks_mutex_;
  std::list<Hook> hooks_;
};

MetricsRegistry& Registry() {
  static MetricsRegistry* registry = new MetricsRegistry();  // never destroyed: used until exit
  return *registry;
}

class ScrapeHookImpl final : public ScrapeHook {
 public:
  explicit ScrapeHookImpl(std::list<MetricsRegistry::Hook>::iterator hook) : hook_(hook) {}
  ~ScrapeHookImpl() override { Registry().RemoveHook(hook_); }

 private:
  std::list<MetricsRegistry::Hook>::iterator hook_;
};

}  // namespace

std::string ScrapeMetrics() { return Registry().Scrape(); }

void RecordGrpcCall(int method, absl::string_view method_name, int code, double seconds) {
  Registry().RecordGrpc(method, method_name, code, seconds);
}
void CountRejectedCall() { Registry().rejected_calls().Increment(); }
void RecordHttpRequest(const std::string& route, int status, double seconds) {
  Registry().RecordHttp(route, status, seconds);
}
void CountDroppedRecord() { Registry().dropped_records().Increment(); }
void RecordCommitBatch(size_t units) { Registry().commit_batch().Observe(static_cast<double>(units)); }
void CountStoreError(absl::string_view reason) { Registry().CountStoreError(reason); }
void SetHostOutboxDepth(const std::string& principal, double depth) {
  Registry().SetOutbox(principal, depth);
}
void SetAnalyticsStandby(bool usable, double lag_seconds, double lag_bytes) {
  Registry().SetStandby(usable, lag_seconds, lag_bytes);
}
prometheus::Gauge& CallQueueDepthGauge() { return Registry().call_queue_depth(); }
prometheus::Gauge& BackgroundQueueDepthGauge() { return Registry().background_depth(); }

std::unique_ptr<ScrapeHook> ReportAtScrape(prometheus::Gauge& gauge, std::function<double()> read) {
  return std::make_unique<ScrapeHookImpl>(Registry().AddHook(gauge, std::move(read)));
}

}  // namespace scoliomassage::observability
