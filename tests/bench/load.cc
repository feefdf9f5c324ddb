#include "load.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace scoliomassage::bench {

double PercentileUs(std::vector<int64_t>& samples_ns, double percentile) {
  if (samples_ns.empty()) return 0;
  // Nearest rank.
  size_t rank = static_cast<size_t>(percentile / 100.0 * static_cast<double>(samples_ns.size()));
  if (rank >= samples_ns.size()) rank = samples_ns.size() - 1;
  std::nth_element(samples_ns.begin(), samples_ns.begin() + rank, samples_ns.end());
  return static_cast<double>(samples_ns[rank]) / 1000.0;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

namespace {

// Stops a run that only fails (server gone) instead of spinning.
constexpr int64_t kMaxErrors = 1000;

struct Slot {
  std::vector<int64_t> latencies_ns;  // touched by one call at a time
  int64_t calls = 0;
};

class ClosedLoop {
 public:
  ClosedLoop(int in_flight, Clock::time_point measure_start, Clock::time_point end,
             const StartCall& start_call)
      : slots_(static_cast<size_t>(in_flight)),
        measure_start_(measure_start),
        end_(end),
        start_call_(start_call),
        active_(in_flight) {}

  void Run() {
    for (size_t i = 0; i < slots_.size(); ++i) Issue(i);
    std::unique_lock<std::mutex> lock(mutex_);
    drained_.wait(lock, [this] { return active_ == 0; });
  }

  LoadResult Result(std::chrono::milliseconds measure) {
    LoadResult result;
    std::vector<int64_t> all;
    for (Slot& slot : slots_) {
      result.calls += slot.calls;
      all.insert(all.end(), slot.latencies_ns.begin(), slot.latencies_ns.end());
    }
    result.errors = errors_.load();
    result.first_error = first_error_;
    result.seconds = std::chrono::duration<double>(measure).count();
    result.throughput = static_cast<double>(result.calls) / result.seconds;
    result.p50_us = PercentileUs(all, 50);
    result.p99_us = PercentileUs(all, 99);
    return result;
  }

 private:
  void Issue(size_t index) {
    const Clock::time_point start = Clock::now();
    start_call_([this, index, start](const grpc::Status& status) {
      const Clock::time_point now = Clock::now();
      Slot& slot = slots_[index];
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (errors_++ == 0) {
          first_error_ = std::to_string(status.error_code()) + " " + status.error_message();
        }
      } else if (now >= measure_start_ && now <= end_) {
        ++slot.calls;
        slot.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count());
      }
      if (now < end_ && errors_.load() < kMaxErrors) return Issue(index);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--active_ == 0) drained_.notify_all();
    });
  }

  std::vector<Slot> slots_;
  const Clock::time_point measure_start_;
  const Clock::time_point end_;
  const StartCall& start_call_;
  std::atomic<int64_t> errors_{0};
  std::mutex mutex_;
  std::condition_variable drained_;
  int active_;
  std::string first_error_;
};

}  // namespace

LoadResult RunClosedLoop(int in_flight, std::chrono::milliseconds warmup,
                         std::chrono::milliseconds measure, const StartCall& start_call) {
  const Clock::time_point measure_start = Clock::now() + warmup;
  ClosedLoop loop(in_flight, measure_start, measure_start + measure, start_call);
  loop.Run();
  return loop.Result(measure);
}

LoadResult RunThreads(int threads, std::chrono::milliseconds warmup,
                      std::chrono::milliseconds measure,
                      const std::function<std::string(int thread)>& call) {
  const Clock::time_point measure_start = Clock::now() + warmup;
  const Clock::time_point end = measure_start + measure;
  std::vector<Slot> slots(static_cast<size_t>(threads));
  std::atomic<int64_t> errors{0};
  std::mutex mutex;
  std::string first_error;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Slot& slot = slots[static_cast<size_t>(t)];
      for (;;) {
        const Clock::time_point start = Clock::now();
        std::string error = call(t);
        const Clock::time_point now = Clock::now();
        if (!error.empty()) {
          std::lock_guard<std::mutex> lock(mutex);
          if (errors++ == 0) first_error = error;
        } else if (now >= measure_start && now <= end) {
          ++slot.calls;
          slot.latencies_ns.push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count());
        }
        if (now >= end || errors.load() >= kMaxErrors) return;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  LoadResult result;
  std::vector<int64_t> all;
  for (Slot& slot : slots) {
    result.calls += slot.calls;
    all.insert(all.end(), slot.latencies_ns.begin(), slot.latencies_ns.end());
  }
  result.errors = errors.load();
  result.first_error = first_error;
  result.seconds = std::chrono::duration<double>(measure).count();
  result.throughput = static_cast<double>(result.calls) / result.seconds;
  result.p50_us = PercentileUs(all, 50);
  result.p99_us = PercentileUs(all, 99);
  return result;
}

}  // namespace scoliomassage::bench
