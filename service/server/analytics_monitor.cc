#include "server/analytics_monitor.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "observability/log.h"
#include "observability/metrics.h"

namespace scoliomassage::server {

using observability::Log;
using observability::LogLevel;

namespace {

constexpr absl::Duration kInUseLogInterval = absl::Minutes(1);

observability::LogFields LagFields(const storage::ReplicationStatus& status) {
  observability::LogFields fields = {
      {"standby_usable", status.usable ? "true" : "false"},
      {"standby_reachable", status.reachable ? "true" : "false"},
      {"standby_in_recovery", status.in_recovery ? "true" : "false"},
      {"lag_bytes", std::to_string(status.lag_bytes)},
      {"lag_seconds", status.lag == absl::InfiniteDuration()
                          ? std::string("unknown")
                          : std::to_string(absl::ToDoubleSeconds(status.lag))},
      {"primary_lsn", status.primary_lsn},
      {"replay_lsn", status.replay_lsn}};
  if (!status.reason.empty()) fields.emplace_back("reason", status.reason);
  return fields;
}

}  // namespace

AnalyticsMonitor::AnalyticsMonitor(storage::AnalyticsStore& store,
                                   std::function<void(bool)> set_analytics_serving,
                                   absl::Duration interval)
    : store_(store), set_analytics_serving_(std::move(set_analytics_serving)),
      interval_(interval), thread_([this] { Run(); }) {}

AnalyticsMonitor::~AnalyticsMonitor() { Stop(); }

void AnalyticsMonitor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AnalyticsMonitor::Run() {
  std::optional<bool> was_usable;
  absl::Time last_logged = absl::InfinitePast();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    lock.unlock();
    const storage::ReplicationStatus status = store_.ReplicationLag();
    const absl::Time now = absl::Now();
    observability::SetAnalyticsStandby(status.usable, absl::ToDoubleSeconds(status.lag),
                                       static_cast<double>(status.lag_bytes));
    if (!was_usable.has_value() || *was_usable != status.usable) {
      Log(status.usable ? LogLevel::kInfo : LogLevel::kWarning,
          status.usable ? "analytics standby in use"
                        : (store_.options().fallback == storage::AnalyticsFallback::kPrimary
                               ? "analytics standby not usable: analytics reads go to the primary"
                               : "analytics standby not usable: analytics reads fail UNAVAILABLE"),
          LagFields(status));
      set_analytics_serving_(status.usable ||
                             store_.options().fallback == storage::AnalyticsFallback::kPrimary);
      was_usable = status.usable;
      last_logged = now;
    } else if (now - last_logged >= kInUseLogInterval) {
      Log(LogLevel::kInfo, "analytics standby replication lag", LagFields(status));
      last_logged = now;
    }
    lock.lock();
    wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_), [this] { return stop_; });
  }
}

}  // namespace scoliomassage::server
