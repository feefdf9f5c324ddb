// cpp-httplib's task queue with a bound. httplib 0.11's ThreadPool queues
// connections without limit, so under overload memory and latency grow
// without end. This one runs at most `threads` connections at once with
// `max_queued` waiting; a connection beyond that is handed to one small
// overflow thread that answers it 503 at once (IsOverflowThread() tells the
// handlers), and when even that has a backlog the accept thread answers it.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace scoliomassage::http {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(size_t threads, size_t max_queued);
  ~BoundedTaskQueue() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // True on the threads that answer overload (the handler must only refuse).
  static bool IsOverflowThread();

 private:
  void RunWorker();
  void RunOverflow();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  std::deque<std::function<void()>> overflow_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace scoliomassage::http
