// Watches the analytics standby's replication lag: a log line whenever the
// standby becomes usable or stops being usable (with the reason and the
// lag), one every minute while it is in use, and - when analytics may not
// fall back to the primary - the HistoryService and AuditService health set
// to NOT_SERVING while the standby cannot serve them.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "storage/analytics_store.h"

namespace scoliomassage::server {

class AnalyticsMonitor {
 public:
  // `set_analytics_serving` is called on every change of usability.
  AnalyticsMonitor(storage::AnalyticsStore& store, std::function<void(bool)> set_analytics_serving,
                   absl::Duration interval = absl::Seconds(1));
  ~AnalyticsMonitor();  // Stop()
  void Stop();

 private:
  void Run();

  storage::AnalyticsStore& store_;
  std::function<void(bool)> set_analytics_serving_;
  const absl::Duration interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace scoliomassage::server
