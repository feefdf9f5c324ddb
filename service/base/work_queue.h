// A fixed set of threads draining one bounded queue of tasks. It serves both
// kinds of deferred work: calls (so gRPC callback threads never block) and
// the writes nobody waits for (audit and recommendation records). The bound
// is the overload limit: when the queue is full, TrySubmit refuses at once
// (the caller answers RESOURCE_EXHAUSTED, or counts a dropped record) instead
// of growing threads or memory. On destruction it runs everything already
// queued, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace scoliomassage::base {

class WorkQueue {
 public:
  // `threads` >= 1; `max_queued` tasks may wait for a thread.
  WorkQueue(size_t threads, size_t max_queued);
  ~WorkQueue();  // runs what is queued, then joins
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False when the queue is full or stopping; then `task` is not run. Tasks
  // must not throw: an exception would end the process on a worker thread.
  bool TrySubmit(std::function<void()> task);

  // Blocks until every task accepted before the call has finished (shutdown,
  // tests). Must not be called from a task.
  void Flush();

  // Refuses new tasks from now on; queued ones still run.
  void Stop();

  // Tasks waiting for a thread (for the metrics' queue depth).
  size_t queued();

 private:
  void RunWorker();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;     // a task was queued, or stopping
  std::condition_variable finished_;  // a task finished
  std::deque<std::function<void()>> queue_;
  uint64_t accepted_ = 0;
  uint64_t completed_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace scoliomassage::base
