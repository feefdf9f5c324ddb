// A fixed set of threads with a bounded queue. Handlers hand blocking work
// (store, engine) to it so callback threads never block, and the bound is the
// overload limit: when the queue is full the call gets RESOURCE_EXHAUSTED at
// once instead of growing threads or memory.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace scoliomassage::api {

class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t max_queued);
  ~WorkerPool();  // runs what is queued, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping; `task` is not run.
  bool TrySubmit(std::function<void()> task);

  size_t max_queued() const { return max_queued_; }

 private:
  void RunWorker();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace scoliomassage::api
